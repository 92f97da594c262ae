//! Escaping for each destination (shell, terminal).
