//! Who is asking, and what they may see and do.
//!
//! Clients present `Authorization: Bearer <token>`; tokens come from the config file or the
//! `ONEMAP_TOKENS` variable. Without a token a client is `public`: it sees the map and who
//! holds which duty, but names and phone numbers are masked. Dispatchers see them in full;
//! planners may also write; admins may also read the audit log.

use crate::error::ApiError;
use axum::extract::FromRequestParts;
use axum::http::request::Parts;
use axum::http::StatusCode;
use serde::Deserialize;
use std::collections::HashMap;
use std::sync::Arc;

#[derive(Clone, Copy, Debug, PartialEq, Eq, PartialOrd, Ord, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum Access {
    Public,
    Dispatcher,
    Planner,
    Admin,
}

impl std::str::FromStr for Access {
    type Err = String;
    fn from_str(s: &str) -> Result<Self, Self::Err> {
        match s {
            "public" => Ok(Access::Public),
            "dispatcher" => Ok(Access::Dispatcher),
            "planner" => Ok(Access::Planner),
            "admin" => Ok(Access::Admin),
            _ => Err(format!(
                "unknown access role `{s}`: use public, dispatcher, planner or admin"
            )),
        }
    }
}

/// One configured API token.
#[derive(Clone, Debug, Deserialize)]
pub struct Token {
    /// Who this token belongs to; written to the audit log.
    pub name: String,
    pub role: Access,
    pub token: String,
}

/// Parses `name:role:token` entries separated by `;` or `,`.
pub fn parse_tokens(spec: &str) -> Result<Vec<Token>, String> {
    spec.split([';', ','])
        .map(str::trim)
        .filter(|s| !s.is_empty())
        .map(|entry| {
            let parts: Vec<&str> = entry.splitn(3, ':').collect();
            let [name, role, token] = parts[..] else {
                return Err(format!("token entry `{entry}` is not name:role:token"));
            };
            if token.len() < 8 {
                return Err(format!(
                    "the token for `{name}` is shorter than 8 characters"
                ));
            }
            Ok(Token {
                name: name.into(),
                role: role.parse()?,
                token: token.into(),
            })
        })
        .collect()
}

/// The token table.
#[derive(Clone, Debug, Default)]
pub struct Tokens(Arc<HashMap<String, (String, Access)>>);

impl Tokens {
    pub fn new(tokens: &[Token]) -> Self {
        Tokens(Arc::new(
            tokens
                .iter()
                .map(|t| (t.token.clone(), (t.name.clone(), t.role)))
                .collect(),
        ))
    }

    pub fn is_empty(&self) -> bool {
        self.0.is_empty()
    }
}

/// The caller of a request.
#[derive(Clone, Debug)]
pub struct Caller {
    pub name: String,
    pub access: Access,
}

impl Caller {
    pub fn sees_people(&self) -> bool {
        self.access >= Access::Dispatcher
    }

    /// Fails unless the caller has at least `needed` access.
    pub fn require(&self, needed: Access, what: &str) -> Result<(), ApiError> {
        if self.access >= needed {
            return Ok(());
        }
        let status = if self.access == Access::Public {
            StatusCode::UNAUTHORIZED
        } else {
            StatusCode::FORBIDDEN
        };
        Err(ApiError::new(
            status,
            "forbidden",
            format!(
                "{what} needs a {needed:?} token or better (send Authorization: Bearer <token>)"
            )
            .to_lowercase(),
        ))
    }
}

impl<S: Send + Sync> FromRequestParts<S> for Caller
where
    Tokens: axum::extract::FromRef<S>,
{
    type Rejection = ApiError;

    async fn from_request_parts(parts: &mut Parts, state: &S) -> Result<Self, Self::Rejection> {
        let tokens = <Tokens as axum::extract::FromRef<S>>::from_ref(state);
        let Some(header) = parts.headers.get(axum::http::header::AUTHORIZATION) else {
            return Ok(Caller {
                name: "public".into(),
                access: Access::Public,
            });
        };
        let presented = header
            .to_str()
            .ok()
            .and_then(|h| h.strip_prefix("Bearer "))
            .map(str::trim)
            .unwrap_or_default();
        match tokens.0.get(presented) {
            Some((name, access)) => Ok(Caller { name: name.clone(), access: *access }),
            None => Err(ApiError::new(
                StatusCode::UNAUTHORIZED,
                "invalid_token",
                "the bearer token is not known to this server; ask an admin for a token or drop the header",
            )),
        }
    }
}

/// `张三丰` → `张**`: the surname stays so a dispatcher on the phone can still address them.
pub fn mask_name(name: &str) -> String {
    let mut chars = name.chars();
    match chars.next() {
        Some(first) => std::iter::once(first).chain(chars.map(|_| '*')).collect(),
        None => String::new(),
    }
}

/// `13812345678` → `138****5678`.
pub fn mask_phone(phone: &str) -> String {
    let chars: Vec<char> = phone.chars().collect();
    if chars.len() < 7 {
        return "*".repeat(chars.len());
    }
    let keep_end = 4;
    chars[..3]
        .iter()
        .chain(std::iter::repeat_n(&'*', chars.len() - 3 - keep_end))
        .chain(&chars[chars.len() - keep_end..])
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn masks_keep_just_enough() {
        assert_eq!(mask_name("张三丰"), "张**");
        assert_eq!(mask_phone("13812345678"), "138****5678");
        assert_eq!(mask_phone("110"), "***");
    }

    #[test]
    fn token_specs_parse_or_say_why() {
        let t = parse_tokens("ann:dispatcher:abcdefgh1;bob:planner:12345678x").unwrap();
        assert_eq!(t.len(), 2);
        assert_eq!(t[1].role, Access::Planner);
        assert!(parse_tokens("ann:boss:abcdefgh1")
            .unwrap_err()
            .contains("unknown access role"));
        assert!(parse_tokens("ann:planner:short")
            .unwrap_err()
            .contains("shorter"));
    }
}
