//! A blocking PostgreSQL connection that any thread may use, an async runtime's included.
//!
//! The store's trait is blocking, and it is called from plain threads (the command line, a
//! server's blocking pool, the refresher) but also, in tests and at a server's shutdown, from
//! threads that drive async tasks. The `postgres` crate's blocking client runs its connection on
//! a runtime of its own in the calling thread, which tokio refuses there (even to drop it). So
//! here each connection is driven by `tokio-postgres` on a thread of its own, and a call waits
//! for its answer by parking the calling thread: no runtime is entered by the caller.

use std::future::Future;
use std::sync::Arc;
use std::sync::mpsc::{Receiver, RecvTimeoutError, channel};
use std::task::{Context, Poll, Wake};
use std::time::Duration;

use futures_util::StreamExt;
use tokio_postgres::binary_copy::BinaryCopyInWriter;
use tokio_postgres::types::{ToSql, Type};
use tokio_postgres::{AsyncMessage, Client, Error, NoTls, Row};

/// Waits for `future` on the calling thread, which sleeps until it is woken.
fn block_on<F: Future>(future: F) -> F::Output {
    struct Unpark(std::thread::Thread);
    impl Wake for Unpark {
        fn wake(self: Arc<Self>) {
            self.0.unpark();
        }
    }
    let waker = Arc::new(Unpark(std::thread::current())).into();
    let mut context = Context::from_waker(&waker);
    let mut future = std::pin::pin!(future);
    loop {
        if let Poll::Ready(output) = future.as_mut().poll(&mut context) {
            return output;
        }
        std::thread::park();
    }
}

pub(crate) struct Conn {
    client: Client,
    /// The channels of the notifications (`NOTIFY`) the connection received, as they come.
    notifications: Receiver<String>,
}

impl Conn {
    /// Connects to `url`; the connection runs on a thread of its own until this is dropped.
    /// A refusal is the server's message (or the network's).
    pub(crate) fn connect(url: &str) -> Result<Conn, String> {
        let (client_tx, client_rx) = channel();
        let (notify, notifications) = channel();
        let url = url.to_owned();
        std::thread::Builder::new()
            .name("vigie-postgres".into())
            .spawn(move || {
                let runtime = match tokio::runtime::Builder::new_current_thread().enable_all().build() {
                    Ok(runtime) => runtime,
                    Err(e) => {
                        let _ = client_tx.send(Err(e.to_string()));
                        return;
                    }
                };
                runtime.block_on(async move {
                    let (client, mut connection) = match tokio_postgres::connect(&url, NoTls).await {
                        Ok(connected) => connected,
                        Err(e) => {
                            let _ = client_tx.send(Err(crate::postgres::message(&e)));
                            return;
                        }
                    };
                    let _ = client_tx.send(Ok(client));
                    // Until the client is dropped (or the server closes the connection).
                    let mut messages = futures_util::stream::poll_fn(move |cx| connection.poll_message(cx));
                    while let Some(Ok(message)) = messages.next().await {
                        if let AsyncMessage::Notification(n) = message {
                            let _ = notify.send(n.channel().to_owned());
                        }
                    }
                });
            })
            .map_err(|e| e.to_string())?;
        let client = client_rx.recv().map_err(|_| "the connection's thread stopped".to_owned())??;
        Ok(Conn { client, notifications })
    }

    pub(crate) fn query(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Vec<Row>, Error> {
        block_on(self.client.query(sql, params))
    }

    pub(crate) fn query_one(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Row, Error> {
        block_on(self.client.query_one(sql, params))
    }

    pub(crate) fn query_opt(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<Option<Row>, Error> {
        block_on(self.client.query_opt(sql, params))
    }

    pub(crate) fn execute(&mut self, sql: &str, params: &[&(dyn ToSql + Sync)]) -> Result<u64, Error> {
        block_on(self.client.execute(sql, params))
    }

    pub(crate) fn batch_execute(&mut self, sql: &str) -> Result<(), Error> {
        block_on(self.client.batch_execute(sql))
    }

    /// The rows of `sql`, every cell as text (the simple query protocol: no parameters).
    #[cfg(feature = "test-support")]
    pub(crate) fn simple_query(&mut self, sql: &str) -> Result<Vec<Vec<Option<String>>>, Error> {
        let messages = block_on(self.client.simple_query(sql))?;
        Ok(messages
            .iter()
            .filter_map(|m| match m {
                tokio_postgres::SimpleQueryMessage::Row(row) => {
                    Some((0..row.len()).map(|i| row.get(i).map(str::to_owned)).collect())
                }
                _ => None,
            })
            .collect())
    }

    /// Hands each row of `sql` to `visit` as it arrives, never holding them all; `visit`
    /// stops early by answering `false`. Errors say they happened while doing `what`.
    pub(crate) fn for_each(
        &mut self,
        sql: &str,
        params: &[&(dyn ToSql + Sync)],
        what: &str,
        mut visit: impl FnMut(&Row) -> crate::Result<bool>,
    ) -> crate::Result<()> {
        let stream =
            block_on(self.client.query_raw(sql, params.iter().copied())).map_err(crate::postgres::err(what))?;
        let mut stream = std::pin::pin!(stream);
        while let Some(row) = block_on(stream.next()) {
            if !visit(&row.map_err(crate::postgres::err(what))?)? {
                break;
            }
        }
        Ok(())
    }

    /// `COPY … FROM STDIN BINARY` of the rows `rows` writes, each as values of `types`.
    pub(crate) fn copy_in(
        &mut self,
        sql: &str,
        types: &[Type],
        rows: impl FnOnce(&mut dyn FnMut(&[&(dyn ToSql + Sync)]) -> Result<(), Error>) -> Result<(), Error>,
    ) -> Result<u64, Error> {
        let sink = block_on(self.client.copy_in(sql))?;
        let writer = BinaryCopyInWriter::new(sink, types);
        let mut writer = std::pin::pin!(writer);
        rows(&mut |values| block_on(writer.as_mut().write(values)))?;
        block_on(writer.finish())
    }

    /// Waits up to `timeout` for a notification; several pending count as one.
    /// The channels notified within `timeout` (and any more already queued): none when none was.
    pub(crate) fn wait_for_notification(&mut self, timeout: Duration) -> Result<Vec<String>, Error> {
        let first = match self.notifications.recv_timeout(timeout) {
            Ok(channel) => channel,
            Err(RecvTimeoutError::Timeout) => return Ok(Vec::new()),
            // The connection's thread ended: the server closed it.
            Err(RecvTimeoutError::Disconnected) => {
                return block_on(self.client.batch_execute("")).map(|()| Vec::new());
            }
        };
        Ok(std::iter::once(first).chain(self.notifications.try_iter()).collect())
    }

    pub(crate) fn is_closed(&self) -> bool {
        self.client.is_closed()
    }
}
