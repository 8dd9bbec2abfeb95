//! Payment in the function (issue 12): the municipality's payment platform as the `xbezahl`
//! adapter reads it. The flow (awaiting payment, the transaction, the return route) builds on
//! this and on `store::payment`.

pub mod config;
