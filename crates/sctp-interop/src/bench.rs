//! Benchmark driver (placeholder).
