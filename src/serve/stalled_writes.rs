//! A client that stops reading its answer: once the kernel's send buffer is full, hyper's
//! writes wait for the client for ever, and the connection keeps its slot. Answers here are
//! small (tens of KB) but not smaller than a send buffer facing a closed receive window.

use std::{
    io,
    pin::Pin,
    task::{Context, Poll},
    time::Duration,
};

use tokio::{
    io::{AsyncRead, AsyncWrite, ReadBuf},
    time::Sleep,
};

/// A stream whose writes fail with `TimedOut` once they have made no progress for `limit`:
/// a slow client that still takes bytes in is fine, one that takes none is dropped.
pub struct StalledWrites<T> {
    inner: T,
    limit: Duration,
    /// Running while a write waits; made on the first wait only.
    timer: Option<Pin<Box<Sleep>>>,
}

impl<T> StalledWrites<T> {
    pub fn new(inner: T, limit: Duration) -> Self {
        StalledWrites {
            inner,
            limit,
            timer: None,
        }
    }

    fn watch<R>(
        &mut self,
        result: Poll<io::Result<R>>,
        cx: &mut Context<'_>,
    ) -> Poll<io::Result<R>> {
        if result.is_ready() {
            self.timer = None;
            return result;
        }
        let limit = self.limit;
        let timer = self
            .timer
            .get_or_insert_with(|| Box::pin(tokio::time::sleep(limit)));
        if timer.as_mut().poll(cx).is_ready() {
            self.timer = None;
            return Poll::Ready(Err(io::Error::new(
                io::ErrorKind::TimedOut,
                "the client took no byte of its answer in time",
            )));
        }
        Poll::Pending
    }
}

impl<T: AsyncRead + Unpin> AsyncRead for StalledWrites<T> {
    fn poll_read(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &mut ReadBuf<'_>,
    ) -> Poll<io::Result<()>> {
        Pin::new(&mut self.get_mut().inner).poll_read(cx, buf)
    }
}

impl<T: AsyncWrite + Unpin> AsyncWrite for StalledWrites<T> {
    fn poll_write(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        buf: &[u8],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write(cx, buf);
        this.watch(result, cx)
    }

    fn poll_write_vectored(
        self: Pin<&mut Self>,
        cx: &mut Context<'_>,
        bufs: &[io::IoSlice<'_>],
    ) -> Poll<io::Result<usize>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_write_vectored(cx, bufs);
        this.watch(result, cx)
    }

    fn is_write_vectored(&self) -> bool {
        self.inner.is_write_vectored()
    }

    fn poll_flush(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_flush(cx);
        this.watch(result, cx)
    }

    fn poll_shutdown(self: Pin<&mut Self>, cx: &mut Context<'_>) -> Poll<io::Result<()>> {
        let this = self.get_mut();
        let result = Pin::new(&mut this.inner).poll_shutdown(cx);
        this.watch(result, cx)
    }
}

#[cfg(test)]
mod tests {
    use tokio::io::{AsyncReadExt, AsyncWriteExt};

    use super::*;

    #[tokio::test]
    async fn a_write_nobody_reads_fails_after_the_limit() {
        let (near, mut far) = tokio::io::duplex(16);
        let mut guarded = StalledWrites::new(near, Duration::from_millis(200));

        let error = guarded
            .write_all(&[0u8; 64])
            .await
            .expect_err("the write cannot finish");

        assert_eq!(error.kind(), io::ErrorKind::TimedOut);
        let mut taken = Vec::new();
        far.read_buf(&mut taken).await.expect("what fitted");
        assert_eq!(taken.len(), 16);
    }

    #[tokio::test]
    async fn a_slow_reader_that_keeps_reading_is_served() {
        let (near, mut far) = tokio::io::duplex(16);
        let mut guarded = StalledWrites::new(near, Duration::from_millis(200));
        let reader = tokio::spawn(async move {
            let mut taken = Vec::new();
            let mut chunk = [0u8; 8];
            while taken.len() < 64 {
                tokio::time::sleep(Duration::from_millis(100)).await;
                let read = far.read(&mut chunk).await.expect("readable");
                taken.extend_from_slice(&chunk[..read]);
            }
            taken.len()
        });

        guarded
            .write_all(&[0u8; 64])
            .await
            .expect("every byte is taken in, if slowly");

        assert_eq!(reader.await.expect("the reader ends"), 64);
    }
}
