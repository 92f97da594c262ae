//! Masking by the one sensitivity rule.
