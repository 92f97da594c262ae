//! Keys as users type them: a dotted key (`server.port`) or the environment
//! variable that sets it (`PREFECT__SERVER__PORT`, in any case), read back by
//! the library's own rule ([`env_var_key`]).

use prefect_config::config::env_var_key;

/// The dotted key `typed` names: itself, or the key of the variable name
/// `PREFIX__...` it spells (a secret's name keeps its case).
pub fn typed(typed: &str, prefix: &str) -> String {
    env_var_key(prefix, typed).unwrap_or_else(|| typed.to_owned())
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn variable_names_become_dotted_keys() {
        assert_eq!(typed("PREFECT__SERVER__PORT", "PREFECT"), "server.port");
        assert_eq!(typed("prefect__server__port", "PREFECT"), "server.port");
        assert_eq!(
            typed("PREFECT__CONTEXT__SECRETS__MyKey", "PREFECT"),
            "context.secrets.MyKey"
        );
        assert_eq!(typed("server.port", "PREFECT"), "server.port");
        assert_eq!(typed("APP__A", "PREFECT"), "APP__A");
        assert_eq!(typed("APP__A", "APP"), "a");
    }
}
