//! The core's records as plain Python values, through their one JSON form.
//!
//! Every record (and list of records) a call returns is serialised by the core's `Serialize`
//! (the document the C library returns and the CLI prints: docs/schemas/) and converted to
//! dicts, lists and scalars by `json::to_py`. Nothing here knows a record's fields:
//! `commbox/_models.py` declares each record once, as a dataclass built from that document.

use crate::errors;
use crate::json;
use pyo3::prelude::*;
use serde::Serialize;

/// `record` in its JSON form, as plain Python values.
pub(crate) fn to_py<'py, T: Serialize>(py: Python<'py>, record: &T) -> PyResult<Bound<'py, PyAny>> {
    let value = serde_json::to_value(record)
        .map_err(|e| errors::internal(py, &format!("a record has no JSON form: {e}")))?;
    json::to_py(py, &value)
}
