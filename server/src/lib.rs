//! The onemap server: configuration, the live city, auth and the HTTP API.

pub mod app;
pub mod auth;
pub mod cli;
pub mod config;
pub mod error;
pub mod follow;
pub mod guard;
pub mod listen;
pub mod live;
pub mod openapi;
pub mod params;
pub mod present;
pub mod registry;
pub mod routes;
pub mod serve;
pub mod state;
pub mod tilesource;
pub mod web;
pub mod work;
