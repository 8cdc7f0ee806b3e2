//! Reading Arrow arrays into Rust values, whatever the exact Arrow type the engine chose
//! (Utf8View or Utf8, Int64 or Float64).

use crate::error::{Error, Result};
use datafusion::arrow::array::{Array, AsArray, StringArray};
use datafusion::arrow::datatypes::DataType;

/// Any string-typed Arrow array as a `StringArray` (Utf8View and LargeUtf8 included).
pub fn text(array: &datafusion::arrow::array::ArrayRef) -> StringArray {
    let cast = datafusion::arrow::compute::cast(array, &DataType::Utf8)
        .expect("string arrays cast to Utf8");
    cast.as_string::<i32>().clone()
}

/// Any numeric Arrow array as `f64` values (null stays `None`); `what` names the reading in
/// the error.
pub fn floats(array: &datafusion::arrow::array::ArrayRef, what: &str) -> Result<Vec<Option<f64>>> {
    let cast = datafusion::arrow::compute::cast(array, &DataType::Float64)
        .map_err(|e| Error::engine(what, e.into()))?;
    Ok(cast
        .as_primitive::<datafusion::arrow::datatypes::Float64Type>()
        .iter()
        .collect())
}

/// A boolean Arrow array as `bool`s, null read as false.
pub fn bools(array: &datafusion::arrow::array::ArrayRef) -> Vec<bool> {
    let b = array.as_boolean();
    (0..b.len()).map(|i| b.is_valid(i) && b.value(i)).collect()
}
