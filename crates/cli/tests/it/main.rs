//! Vigie's integration tests: one binary, real SQLite files, the real `vigie` executable.

mod accounts;
mod cli;
mod crash;
mod generate;
mod geography;
mod helpers;
mod import_behaviour;
mod import_rules;
mod kobo;
mod live;
mod locate;
mod postgres;
mod pseudo;
mod report;
mod risk;
mod sealed;
mod serve;
mod signals;
mod tables;
mod verify;
