//! What every handler shares.

use crate::auth::Tokens;
use crate::config::Config;
use crate::live::Live;
use axum::extract::FromRef;
use std::sync::Arc;

#[derive(Clone)]
pub struct AppState {
    pub live: Arc<Live>,
    pub tokens: Tokens,
    pub config: Arc<Config>,
}

impl FromRef<AppState> for Tokens {
    fn from_ref(state: &AppState) -> Tokens {
        state.tokens.clone()
    }
}
