//! Checks a feature before it may enter a city.
