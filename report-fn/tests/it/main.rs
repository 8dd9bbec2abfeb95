//! report-fn's integration tests, as one test binary: one module per subject.

mod scheduled;
