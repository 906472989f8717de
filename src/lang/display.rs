//! How values are shown to people: console notation and plan rendering helpers.
