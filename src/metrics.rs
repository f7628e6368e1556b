//! The service's metrics: HTTP traffic by route and status, latency, requests by state,
//! outbox depth by state and the satisfaction survey's answers by rating. One registry per `App`, so parallel tests do not mix counts.

use std::time::Duration;

use prometheus::{
    Encoder, HistogramOpts, HistogramVec, IntCounterVec, IntGaugeVec, Opts, Registry, TextEncoder,
};

/// The service's metrics, one registry per process (and per test app).
#[derive(Clone)]
pub struct Metrics {
    registry: Registry,
    http_requests: IntCounterVec,
    http_duration: HistogramVec,
    requests_by_status: IntGaugeVec,
    jobs_by_state: IntGaugeVec,
    survey_answers: IntGaugeVec,
}

impl Metrics {
    pub fn new() -> Result<Metrics, prometheus::Error> {
        let registry = Registry::new();
        let http_requests = IntCounterVec::new(
            Opts::new(
                "http_requests_total",
                "HTTP requests by method, route and status",
            ),
            &["method", "route", "status"],
        )?;
        let http_duration = HistogramVec::new(
            HistogramOpts::new(
                "http_request_duration_seconds",
                "HTTP request latency by method and route",
            )
            .buckets(vec![
                0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0,
            ]),
            &["method", "route"],
        )?;
        let requests_by_status = IntGaugeVec::new(
            Opts::new("contato_requests", "Requests by state"),
            &["status"],
        )?;
        let jobs_by_state = IntGaugeVec::new(
            Opts::new("contato_outbox_jobs", "Outbox jobs by state"),
            &["state"],
        )?;
        // The court's satisfaction indicator: the count by rating gives the distribution and
        // the mean (Lei 13.460/2017, art. 23).
        let survey_answers = IntGaugeVec::new(
            Opts::new(
                "contato_survey_answers",
                "Satisfaction survey answers by rating (1 to 5)",
            ),
            &["rating"],
        )?;
        registry.register(Box::new(http_requests.clone()))?;
        registry.register(Box::new(http_duration.clone()))?;
        registry.register(Box::new(requests_by_status.clone()))?;
        registry.register(Box::new(jobs_by_state.clone()))?;
        registry.register(Box::new(survey_answers.clone()))?;
        Ok(Metrics {
            registry,
            http_requests,
            http_duration,
            requests_by_status,
            jobs_by_state,
            survey_answers,
        })
    }
}

impl Metrics {
    pub fn observe_http(&self, method: &str, route: &str, status: &str, elapsed: Duration) {
        self.http_duration
            .with_label_values(&[method, route])
            .observe(elapsed.as_secs_f64());
        self.http_requests
            .with_label_values(&[method, route, status])
            .inc();
    }

    /// Replaces the state gauges with fresh counts.
    pub fn set_counts(&self, requests: &[(String, i64)], jobs: &[(String, i64)]) {
        self.requests_by_status.reset();
        for (status, count) in requests {
            self.requests_by_status
                .with_label_values(&[status])
                .set(*count);
        }
        self.jobs_by_state.reset();
        for (state, count) in jobs {
            self.jobs_by_state.with_label_values(&[state]).set(*count);
        }
    }

    /// Replaces the survey gauge with fresh counts; every rating is listed, zero included, so
    /// a dashboard's mean has all five terms.
    pub fn set_survey_counts(&self, ratings: &[(i16, i64)]) {
        for rating in 1..=5i16 {
            let count = ratings
                .iter()
                .find(|(stored, _)| *stored == rating)
                .map_or(0, |(_, count)| *count);
            self.survey_answers
                .with_label_values(&[&rating.to_string()])
                .set(count);
        }
    }

    /// The Prometheus text exposition.
    pub fn render(&self) -> Result<Vec<u8>, prometheus::Error> {
        let mut buffer = Vec::new();
        TextEncoder::new().encode(&self.registry.gather(), &mut buffer)?;
        Ok(buffer)
    }
}
