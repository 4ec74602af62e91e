//! Differences between two versions of a procedure (so sánh phiên bản), field by field, for
//! display to control officers (issue 4 item 2).

use serde::{Deserialize, Serialize};
use serde_json::Value;

use super::procedure::ProcedureVersion;

/// Kind of a change.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, Serialize, Deserialize)]
#[serde(rename_all = "snake_case")]
pub enum ChangeKind {
    /// Thêm: the field has a value only in the newer version.
    Added,
    /// Bỏ: the field has a value only in the older version.
    Removed,
    /// Sửa: the value differs.
    Changed,
}

/// One changed field.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct Change {
    /// Field path, e.g. `channels[0].time_limit`, `components[2].name`.
    pub path: String,
    /// Added, removed or changed.
    pub kind: ChangeKind,
    /// Value in the older version as text (`""` when absent).
    pub before: String,
    /// Value in the newer version as text (`""` when absent).
    pub after: String,
}

/// Field-by-field differences from `before` to `after`, in field order. Lists are compared by
/// position; a scalar leaf (text, number, flag, code, duration) is one change.
pub fn diff(before: &ProcedureVersion, after: &ProcedureVersion) -> Vec<Change> {
    let a = serde_json::to_value(before).unwrap_or(Value::Null);
    let b = serde_json::to_value(after).unwrap_or(Value::Null);
    let mut out = Vec::new();
    walk("", &a, &b, &mut out);
    out
}

fn text(v: &Value) -> String {
    match v {
        Value::Null => String::new(),
        Value::String(s) => s.clone(),
        other => other.to_string(),
    }
}

fn is_empty(v: &Value) -> bool {
    match v {
        Value::Null => true,
        Value::String(s) => s.is_empty(),
        Value::Array(a) => a.is_empty(),
        _ => false,
    }
}

fn join(prefix: &str, key: &str) -> String {
    if prefix.is_empty() {
        key.to_owned()
    } else {
        format!("{prefix}.{key}")
    }
}

fn walk(path: &str, a: &Value, b: &Value, out: &mut Vec<Change>) {
    if a == b {
        return;
    }
    match (a, b) {
        (Value::Object(x), Value::Object(y)) => {
            for (k, va) in x {
                walk(&join(path, k), va, y.get(k).unwrap_or(&Value::Null), out);
            }
            for (k, vb) in y {
                if !x.contains_key(k) {
                    walk(&join(path, k), &Value::Null, vb, out);
                }
            }
        }
        (Value::Array(x), Value::Array(y)) => {
            for i in 0..x.len().max(y.len()) {
                walk(
                    &format!("{path}[{i}]"),
                    x.get(i).unwrap_or(&Value::Null),
                    y.get(i).unwrap_or(&Value::Null),
                    out,
                );
            }
        }
        (Value::Object(_) | Value::Array(_), Value::Null) | (Value::Null, Value::Object(_) | Value::Array(_)) => {
            // A whole element added or removed: list its leaves.
            let (side, added) = if a.is_null() { (b, true) } else { (a, false) };
            leaves(path, side, &mut |p, v| {
                if !is_empty(v) {
                    out.push(Change {
                        path: p,
                        kind: if added { ChangeKind::Added } else { ChangeKind::Removed },
                        before: if added { String::new() } else { text(v) },
                        after: if added { text(v) } else { String::new() },
                    });
                }
            });
        }
        _ => {
            let kind = match (is_empty(a), is_empty(b)) {
                (true, false) => ChangeKind::Added,
                (false, true) => ChangeKind::Removed,
                _ => ChangeKind::Changed,
            };
            out.push(Change {
                path: path.to_owned(),
                kind,
                before: text(a),
                after: text(b),
            });
        }
    }
}

fn leaves(path: &str, v: &Value, f: &mut dyn FnMut(String, &Value)) {
    match v {
        Value::Object(m) => m.iter().for_each(|(k, x)| leaves(&join(path, k), x, f)),
        Value::Array(a) => a
            .iter()
            .enumerate()
            .for_each(|(i, x)| leaves(&format!("{path}[{i}]"), x, f)),
        other => f(path.to_owned(), other),
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::calendar::Duration;
    use crate::catalog::procedure::{Channel, ChannelSpec, Fee, FeeKind};

    fn v(limit: u32, fee: u64) -> ProcedureVersion {
        ProcedureVersion {
            name: "Cấp giấy phép tiến hành công việc bức xạ".into(),
            channels: vec![ChannelSpec {
                channel: Channel::InPerson,
                time_limit: Some(Duration::WorkingDays(limit)),
                same_day: false,
                fees: vec![Fee {
                    name: "Lệ phí".into(),
                    kind: FeeKind::Charge,
                    amount: Some(fee),
                    text: String::new(),
                    variants: vec![],
                }],
                workflow: vec![],
            }],
            ..Default::default()
        }
    }

    #[test]
    fn amendment_shows_changed_fields() {
        let a = v(10, 200_000);
        let mut b = v(7, 200_000);
        b.subjects.push("Tổ chức".into());
        b.name.push_str(" (sửa)");
        let d = diff(&a, &b);
        // Field order follows serde_json's map (sorted, or struct order with preserve_order).
        let mut d = d;
        d.sort_by(|x, y| x.path.cmp(&y.path));
        let paths: Vec<&str> = d.iter().map(|c| c.path.as_str()).collect();
        assert_eq!(paths, ["channels[0].time_limit", "name", "subjects[0]"]);
        assert_eq!((d[0].before.as_str(), d[0].after.as_str()), ("10wd", "7wd"));
        assert_eq!(d[0].kind, ChangeKind::Changed);
        assert_eq!(d[2].kind, ChangeKind::Added);
        assert!(diff(&a, &a).is_empty());
        let mut r = diff(&b, &a);
        r.sort_by(|x, y| x.path.cmp(&y.path));
        assert_eq!(r[2].kind, ChangeKind::Removed);
        assert_eq!(r[2].before, "Tổ chức");
    }

    #[test]
    fn added_channel_lists_its_leaves() {
        let a = v(10, 200_000);
        let mut b = a.clone();
        b.channels.push(ChannelSpec {
            channel: Channel::Online,
            ..a.channels[0].clone()
        });
        let d = diff(&a, &b);
        assert!(
            d.iter()
                .all(|c| c.kind == ChangeKind::Added && c.path.starts_with("channels[1]."))
        );
        assert!(
            d.iter()
                .any(|c| c.path == "channels[1].fees[0].amount" && c.after == "200000")
        );
        assert!(d.iter().any(|c| c.path == "channels[1].channel" && c.after == "online"));
    }
}
