//! onemap server.
