//! The JSON the waiter hands to JS: progress reports, `waitForExport`'s files and
//! `checkExportFiles`' states. Written here (pure, tested natively) and parsed once by the
//! boundary with `JSON.parse`.
//!
//! `urls[i]` is the presigned link of file `i` (the boundary signs them); a URL may hold a
//! session token, so callers keep the text in a `Wiping` buffer.

use super::wait_export::{FileState, Progress};
use crate::json::push_string;
use crate::text::push_u64;

fn push_file(out: &mut String, f: &FileState, url: Option<&str>, with_state: bool) {
    out.push_str("{\"key\":");
    push_string(out, &f.key);
    if with_state {
        out.push_str(if f.ready.is_some() {
            ",\"state\":\"ready\""
        } else {
            ",\"state\":\"pending\""
        });
    }
    if let Some(info) = &f.ready {
        if let Some(size) = info.size {
            out.push_str(",\"size\":");
            push_u64(out, size);
        }
        if let Some(etag) = &info.etag {
            out.push_str(",\"etag\":");
            push_string(out, etag);
        }
        if let Some(t) = &info.last_modified {
            out.push_str(",\"lastModified\":");
            push_string(out, t);
        }
        if let Some(url) = url {
            out.push_str(",\"url\":");
            push_string(out, url);
        }
    }
    out.push('}');
}

fn push_files(out: &mut String, files: &[FileState], urls: &[Option<String>], with_state: bool) {
    out.push('[');
    for (i, f) in files.iter().enumerate() {
        if i > 0 {
            out.push(',');
        }
        push_file(out, f, urls.get(i).and_then(|u| u.as_deref()), with_state);
    }
    out.push(']');
}

fn push_counts(out: &mut String, files: &[FileState]) {
    out.push_str("{\"ready\":");
    push_u64(out, files.iter().filter(|f| f.ready.is_some()).count() as u64);
    out.push_str(",\"total\":");
    push_u64(out, files.len() as u64);
}

/// `{ ready, total, elapsedMs, files: [{ key, state, size?, etag?, lastModified?, url? }] }`.
pub fn progress(p: &Progress, urls: &[Option<String>], out: &mut String) {
    push_counts(out, &p.files);
    out.push_str(",\"elapsedMs\":");
    push_u64(out, p.elapsed_ms.max(0.0).round() as u64);
    out.push_str(",\"files\":");
    push_files(out, &p.files, urls, true);
    out.push('}');
}

/// `waitForExport`'s result: `[{ key, size?, etag?, lastModified?, url }]`.
pub fn ready_files(files: &[FileState], urls: &[Option<String>], out: &mut String) {
    push_files(out, files, urls, false);
}

/// `checkExportFiles`' result: `{ ready, total, files: [{ key, state, size?, … url? }] }`.
pub fn file_states(files: &[FileState], urls: &[Option<String>], out: &mut String) {
    push_counts(out, files);
    out.push_str(",\"files\":");
    push_files(out, files, urls, true);
    out.push('}');
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::client::cos_reply::FileInfo;

    fn files() -> Vec<FileState> {
        vec![
            FileState {
                key: "/a \"1\".qcow2".into(),
                ready: Some(FileInfo {
                    size: Some(42),
                    etag: Some("\"e\"".into()),
                    last_modified: Some("2024-11-27T00:00:00.000Z".into()),
                }),
            },
            FileState {
                key: "/b.qcow2".into(),
                ready: None,
            },
        ]
    }

    #[test]
    fn writes_progress_results_and_states_as_json() {
        let urls = vec![Some("https://x/a?q=1&t=2".to_owned()), None];
        let mut out = String::new();
        progress(
            &Progress {
                ready: 1,
                total: 2,
                elapsed_ms: 1234.6,
                files: files(),
            },
            &urls,
            &mut out,
        );
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(
            v,
            serde_json::json!({"ready":1,"total":2,"elapsedMs":1235,"files":[
                {"key":"/a \"1\".qcow2","state":"ready","size":42,"etag":"\"e\"","lastModified":"2024-11-27T00:00:00.000Z","url":"https://x/a?q=1&t=2"},
                {"key":"/b.qcow2","state":"pending"}]})
        );
        let mut out = String::new();
        ready_files(&files()[..1], &urls, &mut out);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!(v[0]["url"], "https://x/a?q=1&t=2");
        assert_eq!(v[0].get("state"), None);
        let mut out = String::new();
        file_states(&files(), &urls, &mut out);
        let v: serde_json::Value = serde_json::from_str(&out).unwrap();
        assert_eq!((v["ready"].as_u64(), v["total"].as_u64()), (Some(1), Some(2)));
        assert_eq!(v["files"][1], serde_json::json!({"key":"/b.qcow2","state":"pending"}));
    }
}
