//! JSON values between Python (`dict`, `list`, `tuple`, `str`, `int`, `float`, `bool`,
//! `None`) and `serde_json::Value`: requests in the core's JSON forms, raw bodies, extra
//! fields, and the core's records on the way back.
//!
//! Going in, an error names where the bad value is, as the core's JSON-form errors do
//! (`to[1]`, `user.email`, `fields.Custom[0]`), so that it names the user's own argument:
//! - a `str` that UTF-8 cannot encode (lone surrogates, as `os.fsdecode` makes of bytes that
//!   are not UTF-8), NaN and infinities, an integer outside 64 bits, and nesting deeper than
//!   `MAX_DEPTH` are `commbox.ValidationError`s (also `ValueError`s);
//! - a value JSON has no type for (a set, bytes, an object, a non-string key) is a
//!   `TypeError`.

use crate::errors;
use pyo3::exceptions::PyTypeError;
use pyo3::prelude::*;
use pyo3::types::{PyBool, PyDict, PyFloat, PyInt, PyList, PyString, PyTuple};
use serde_json::{Map, Number, Value};
use std::fmt::Write as _;

/// Deeper nesting is refused: it is no API payload, and a cycle would otherwise recurse
/// until the stack overflows. Matches serde_json's own parsing limit.
const MAX_DEPTH: usize = 128;

/// Converts the Python value of argument `what` to JSON; errors inside it are named from
/// `what` (`body.data[0]`).
pub(crate) fn to_json(what: &str, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    convert(&At::Root(what), value, 0)
}

/// Converts a request in its JSON form, built from keyword arguments: errors are named by
/// the path inside it (`message`, `to[1]`, `user.email`), whose first part is the argument's
/// name; `what` names the whole value when it is not a dict.
pub(crate) fn form_to_json(what: &str, value: &Bound<'_, PyAny>) -> PyResult<Value> {
    if value.is_instance_of::<PyDict>() {
        convert(&At::Root(""), value, 0)
    } else {
        to_json(what, value)
    }
}

/// Where a value is, built only when an error names it.
enum At<'a> {
    Root(&'a str),
    Key(&'a At<'a>, &'a str),
    Index(&'a At<'a>, usize),
}

impl At<'_> {
    fn path(&self) -> String {
        let mut out = String::new();
        self.write(&mut out);
        out
    }

    fn write(&self, out: &mut String) {
        match self {
            At::Root(name) => out.push_str(name),
            At::Key(parent, key) => {
                parent.write(out);
                if !out.is_empty() {
                    out.push('.');
                }
                out.push_str(key);
            }
            At::Index(parent, i) => {
                parent.write(out);
                let _ = write!(out, "[{i}]");
            }
        }
    }
}

fn convert(at: &At<'_>, v: &Bound<'_, PyAny>, depth: usize) -> PyResult<Value> {
    let py = v.py();
    if depth > MAX_DEPTH {
        return Err(errors::validation(
            py,
            &at.path(),
            format!("nested deeper than {MAX_DEPTH} levels (or contains itself)"),
        ));
    }
    if v.is_none() {
        return Ok(Value::Null);
    }
    // bool before int: Python's bool is an int.
    if let Ok(b) = v.cast::<PyBool>() {
        return Ok(Value::Bool(b.is_true()));
    }
    if v.is_instance_of::<PyInt>() {
        if let Ok(i) = v.extract::<i64>() {
            return Ok(Value::from(i));
        }
        if let Ok(u) = v.extract::<u64>() {
            return Ok(Value::from(u));
        }
        return Err(errors::validation(
            py,
            &at.path(),
            format!("integer {v} does not fit in 64 bits"),
        ));
    }
    if let Ok(f) = v.cast::<PyFloat>() {
        return Number::from_f64(f.value())
            .map(Value::Number)
            .ok_or_else(|| errors::validation(py, &at.path(), format!("{v} is not valid JSON")));
    }
    if let Ok(s) = v.cast::<PyString>() {
        return Ok(Value::String(text(at, s)?));
    }
    if let Ok(d) = v.cast::<PyDict>() {
        let mut map = Map::new();
        for (k, item) in d.iter() {
            let key = k.cast::<PyString>().map_err(|_| {
                PyTypeError::new_err(format!(
                    "{}: JSON object keys must be str, not {}",
                    at.path(),
                    type_name(&k)
                ))
            })?;
            let key = text(at, key)?;
            let value = convert(&At::Key(at, &key), &item, depth + 1)?;
            map.insert(key, value);
        }
        return Ok(Value::Object(map));
    }
    if v.is_instance_of::<PyList>() || v.is_instance_of::<PyTuple>() {
        let mut items = Vec::new();
        for (i, item) in v.try_iter()?.enumerate() {
            items.push(convert(&At::Index(at, i), &item?, depth + 1)?);
        }
        return Ok(Value::Array(items));
    }
    Err(PyTypeError::new_err(format!(
        "{}: {} is not JSON (use dict, list, str, int, float, bool or None)",
        at.path(),
        type_name(v)
    )))
}

/// A str as UTF-8; one with lone surrogates is a bad value, like invalid UTF-8 in C.
fn text(at: &At<'_>, s: &Bound<'_, PyString>) -> PyResult<String> {
    s.to_cow().map(|c| c.into_owned()).map_err(|e| {
        let py = s.py();
        errors::validation(
            py,
            &at.path(),
            format!("is not valid UTF-8 ({})", e.value(py)),
        )
    })
}

fn type_name(v: &Bound<'_, PyAny>) -> String {
    v.get_type()
        .name()
        .map(|n| n.to_string())
        .unwrap_or_else(|_| "object".to_owned())
}

/// Converts JSON to plain Python values.
pub(crate) fn to_py<'py>(py: Python<'py>, v: &Value) -> PyResult<Bound<'py, PyAny>> {
    Ok(match v {
        Value::Null => py.None().into_bound(py),
        Value::Bool(b) => PyBool::new(py, *b).to_owned().into_any(),
        Value::Number(n) => {
            if let Some(i) = n.as_i64() {
                i.into_pyobject(py)?.into_any()
            } else if let Some(u) = n.as_u64() {
                u.into_pyobject(py)?.into_any()
            } else {
                n.as_f64().unwrap_or(f64::NAN).into_pyobject(py)?.into_any()
            }
        }
        Value::String(s) => PyString::new(py, s).into_any(),
        Value::Array(items) => {
            let list = PyList::empty(py);
            for item in items {
                list.append(to_py(py, item)?)?;
            }
            list.into_any()
        }
        Value::Object(map) => {
            let dict = PyDict::new(py);
            for (k, item) in map {
                dict.set_item(k, to_py(py, item)?)?;
            }
            dict.into_any()
        }
    })
}
