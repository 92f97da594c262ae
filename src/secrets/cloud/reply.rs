//! Reading Prefect Cloud's GraphQL replies: the `data` they carry, or the
//! error their `errors` describe, with credentials scrubbed from messages.
//!
//! ```text
//! {"data": {"secret_value": "..."}}                       -> Ok(data)
//! {"errors": [{"message": "...", "extensions": {...}}]}   -> Err(SecretError)
//! ```

use serde_json::Value;

use super::NOT_FOUND_MESSAGE;
use crate::secrets::SecretError;
use crate::secrets::error::kind_of;
use crate::secrets::redact::scrub;

/// The `data` object of a GraphQL reply, or the error its `errors` describe.
pub(super) fn graphql_outcome(
    reply: &mut Value,
    error_status: Option<u16>,
    not_found: Option<&str>,
    needles: &[&str],
) -> Result<Value, SecretError> {
    let Value::Object(reply) = reply else {
        return Err(malformed(format!(
            "expected a JSON object, found {}",
            kind_of(reply)
        )));
    };
    match reply.get("errors") {
        None | Some(Value::Null) => {}
        Some(Value::Array(errors)) if errors.is_empty() => {}
        Some(Value::Array(errors)) => {
            return Err(api_error(errors, error_status, not_found, needles));
        }
        Some(other) => {
            return Err(malformed(format!(
                "`errors` is {}, not a list",
                kind_of(other)
            )));
        }
    }
    match reply.get_mut("data") {
        Some(data @ Value::Object(_)) => Ok(data.take()),
        // An error status without GraphQL errors is reported by status.
        _ if error_status.is_some() => Ok(Value::Null),
        Some(other) => Err(malformed(format!(
            "`data` is {}, not an object",
            kind_of(other)
        ))),
        None => Err(malformed("no `data` and no `errors`".into())),
    }
}

/// The error for a non-empty GraphQL `errors` list.
fn api_error(
    errors: &[Value],
    error_status: Option<u16>,
    not_found: Option<&str>,
    needles: &[&str],
) -> SecretError {
    let mut messages = Vec::with_capacity(errors.len());
    let mut unauthenticated = false;
    for error in errors {
        let message = error
            .get("message")
            .and_then(Value::as_str)
            .unwrap_or("No error message supplied.");
        let code = error.pointer("/extensions/code").and_then(Value::as_str);
        unauthenticated |= code == Some("UNAUTHENTICATED")
            || message.contains("UNAUTHENTICATED")
            || message.contains("Malformed Authorization header");
        match not_found {
            Some(name) if message.contains(NOT_FOUND_MESSAGE) => {
                return SecretError::CloudNotFound {
                    name: name.to_owned(),
                };
            }
            _ => {}
        }
        messages.push(scrub(message, needles));
    }
    let message = messages.join("; ");
    if unauthenticated {
        SecretError::Unauthorized { detail: message }
    } else {
        SecretError::Client {
            status: error_status,
            message,
        }
    }
}

/// `Ok` when `data.<field>.success` is true.
pub(super) fn mutation_succeeded(
    data: &Value,
    field: &str,
    failure: &str,
) -> Result<(), SecretError> {
    match data.get(field).and_then(|r| r.get("success")) {
        Some(Value::Bool(true)) => Ok(()),
        Some(Value::Bool(false)) => Err(SecretError::Client {
            status: None,
            message: failure.to_owned(),
        }),
        _ => Err(malformed(format!(
            "`data.{field}.success` is missing or not a boolean"
        ))),
    }
}

/// A reply that is not what the API documents.
pub(super) fn malformed(reason: String) -> SecretError {
    SecretError::MalformedResponse { reason }
}
