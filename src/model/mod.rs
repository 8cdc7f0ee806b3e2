//! The canonical data model as data: every table, its columns, types, keys and rules. A leaf
//! module: validation, the generator, the SQL catalogue and `datasets/README.md` are all
//! driven from it, and it imports nothing of the crate.

pub mod schema;
pub mod tables;
