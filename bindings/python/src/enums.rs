//! The core's enum tables, so the tests can check that `commbox/_enums.py` names the same
//! values (the Python `IntEnum`s are written out for type checkers and IDEs).

use commbox::chatwoot::MessageType;
use commbox::{ObjectStatusType, ObjectType, StreamProviderType};
use pyo3::exceptions::PyKeyError;
use pyo3::prelude::*;

/// `[(value, documented name), …]` of the core enum `name` (`ObjectType`,
/// `ObjectStatusType`, `StreamProviderType` or Chatwoot's `MessageType`), in numeric order.
#[pyfunction]
pub(crate) fn enum_members(name: &str) -> PyResult<Vec<(i64, &'static str)>> {
    fn table<T: Copy>(
        known: &[T],
        value: impl Fn(T) -> i64,
        label: impl Fn(T) -> Option<&'static str>,
    ) -> Vec<(i64, &'static str)> {
        known
            .iter()
            .map(|&v| (value(v), label(v).unwrap_or_default()))
            .collect()
    }
    Ok(match name {
        "ObjectType" => table(ObjectType::KNOWN, ObjectType::value, ObjectType::name),
        "ObjectStatusType" => table(
            ObjectStatusType::KNOWN,
            ObjectStatusType::value,
            ObjectStatusType::name,
        ),
        "StreamProviderType" => table(
            StreamProviderType::KNOWN,
            StreamProviderType::value,
            StreamProviderType::name,
        ),
        "MessageType" => table(MessageType::KNOWN, MessageType::value, MessageType::name),
        other => return Err(PyKeyError::new_err(format!("no core enum {other:?}"))),
    })
}
