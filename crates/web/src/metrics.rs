//! Prometheus metrics: requests counted and timed by method, route and status, written in the
//! text exposition format by hand (a handful of counters does not need a metrics framework).

use std::{collections::BTreeMap, sync::Mutex, time::Duration};

/// The upper bounds of the latency histogram, in seconds.
const BUCKETS: [f64; 10] = [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1.0, 5.0];

#[derive(Debug, Default)]
pub(crate) struct Metrics {
    series: Mutex<BTreeMap<(String, String, u16), Series>>,
}

#[derive(Debug, Default, Clone)]
struct Series {
    count: u64,
    sum_seconds: f64,
    buckets: [u64; BUCKETS.len()],
}

impl Metrics {
    pub(crate) fn record(&self, method: &str, route: &str, status: u16, elapsed: Duration) {
        let seconds = elapsed.as_secs_f64();
        let Ok(mut series) = self.series.lock() else {
            return;
        };
        let entry = series
            .entry((method.to_owned(), route.to_owned(), status))
            .or_default();
        entry.count += 1;
        entry.sum_seconds += seconds;
        for (bucket, bound) in entry.buckets.iter_mut().zip(BUCKETS) {
            if seconds <= bound {
                *bucket += 1;
            }
        }
    }

    pub(crate) fn render(&self) -> String {
        let series = match self.series.lock() {
            Ok(series) => series.clone(),
            Err(_) => return String::new(),
        };
        let mut out = String::new();
        out.push_str("# HELP hindsight_http_requests_total HTTP requests answered.\n");
        out.push_str("# TYPE hindsight_http_requests_total counter\n");
        for ((method, route, status), s) in &series {
            out.push_str(&format!(
                "hindsight_http_requests_total{{method=\"{method}\",route=\"{}\",status=\"{status}\"}} {}\n",
                escape_label(route),
                s.count
            ));
        }
        out.push_str("# HELP hindsight_http_request_duration_seconds Time to answer a request.\n");
        out.push_str("# TYPE hindsight_http_request_duration_seconds histogram\n");
        let mut by_route: BTreeMap<(String, String), Series> = BTreeMap::new();
        for ((method, route, _), s) in &series {
            let total = by_route.entry((method.clone(), route.clone())).or_default();
            total.count += s.count;
            total.sum_seconds += s.sum_seconds;
            for (t, b) in total.buckets.iter_mut().zip(s.buckets) {
                *t += b;
            }
        }
        for ((method, route), s) in &by_route {
            let labels = format!("method=\"{method}\",route=\"{}\"", escape_label(route));
            for (bound, count) in BUCKETS.iter().zip(s.buckets) {
                out.push_str(&format!(
                    "hindsight_http_request_duration_seconds_bucket{{{labels},le=\"{bound}\"}} {count}\n"
                ));
            }
            out.push_str(&format!(
                "hindsight_http_request_duration_seconds_bucket{{{labels},le=\"+Inf\"}} {}\n",
                s.count
            ));
            out.push_str(&format!(
                "hindsight_http_request_duration_seconds_sum{{{labels}}} {}\n",
                s.sum_seconds
            ));
            out.push_str(&format!(
                "hindsight_http_request_duration_seconds_count{{{labels}}} {}\n",
                s.count
            ));
        }
        out
    }
}

/// Route templates are ours, but a label value must still never break the format.
fn escape_label(value: &str) -> String {
    value
        .replace('\\', "\\\\")
        .replace('"', "\\\"")
        .replace('\n', "\\n")
}
