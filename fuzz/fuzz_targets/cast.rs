//! Casting any text never panics, and casting is a function of the text.
#![no_main]

use libfuzzer_sys::fuzz_target;
use prefect_config::config::string_to_type;

fuzz_target!(|text: &str| {
    assert_eq!(string_to_type(text), string_to_type(text));
});
