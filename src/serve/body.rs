//! The deadline of a request's body. hyper bounds the head but not the body: a client that
//! announces a Content-Length and sends less, or trickles its body in, would hold its
//! connection (and the handler reading it) for as long as it likes.

use std::{
    pin::Pin,
    sync::{
        Arc,
        atomic::{AtomicBool, Ordering},
    },
    task::{Context, Poll},
    time::Duration,
};

use axum::{
    body::{Body, Bytes},
    extract::{Request, State},
    http::{HeaderValue, Uri, header},
    middleware::Next,
    response::Response,
};
use http_body::{Frame, SizeHint};
use tokio::time::{Instant, Sleep};

/// A whole body must arrive `within` this long of its request's head. One that does not gets
/// `answer`'s response with `Connection: close`, whatever the handler made of the cut-off body
/// (a bad request, mostly): the client was late, its request may have been fine.
#[derive(Clone)]
pub struct BodyDeadline {
    pub within: Duration,
    /// The 408 in the voice of the address asked for.
    pub answer: fn(&Uri) -> Response,
}

/// The layer's function, for `axum::middleware::from_fn_with_state`.
pub async fn enforce(
    State(deadline): State<BodyDeadline>,
    request: Request,
    next: Next,
) -> Response {
    let uri = request.uri().clone();
    let late = Arc::new(AtomicBool::new(false));
    let due = Instant::now() + deadline.within;
    let request = request.map(|body| {
        Body::new(DeadlineBody {
            inner: body,
            due,
            timer: None,
            late: late.clone(),
        })
    });
    let response = next.run(request).await;
    if !late.load(Ordering::Acquire) {
        return response;
    }
    let mut response = (deadline.answer)(&uri);
    // The rest of the body may still come: the connection cannot carry another request.
    response
        .headers_mut()
        .insert(header::CONNECTION, HeaderValue::from_static("close"));
    response
}

/// The error a body that missed its deadline ends with.
#[derive(Debug, thiserror::Error)]
#[error("the request body did not arrive in time")]
pub struct BodyTooSlow;

struct DeadlineBody {
    inner: Body,
    due: Instant,
    /// Made on the first wait only: most bodies are empty or arrive with their head.
    timer: Option<Pin<Box<Sleep>>>,
    late: Arc<AtomicBool>,
}

impl http_body::Body for DeadlineBody {
    type Data = Bytes;
    type Error = axum::BoxError;

    fn poll_frame(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
    ) -> Poll<Option<Result<Frame<Bytes>, Self::Error>>> {
        let this = self.get_mut();
        if let Poll::Ready(frame) = Pin::new(&mut this.inner).poll_frame(cx) {
            return Poll::Ready(frame.map(|frame| frame.map_err(Into::into)));
        }
        let due = this.due;
        let timer = this
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep_until(due)));
        if timer.as_mut().poll(cx).is_ready() {
            this.late.store(true, Ordering::Release);
            return Poll::Ready(Some(Err(Box::new(BodyTooSlow))));
        }
        Poll::Pending
    }

    fn is_end_stream(&self) -> bool {
        self.inner.is_end_stream()
    }

    fn size_hint(&self) -> SizeHint {
        self.inner.size_hint()
    }
}
