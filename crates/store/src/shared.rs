//! What a long-running process shares between requests: a pool of stores (each with its own
//! connection, so that readers never wait for each other or for a running import) and one
//! in-memory aggregation state that follows the change feed.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use vigie_core::aggregate::{Disclosure, Filter, MinCount, MonthTables, Ordered, Sight, SortBy};
use vigie_core::{Alert, Catalog, Month};

use crate::{DbUrl, LiveFacts, MonthRecords, Result, Store};

/// Stores for many threads: each borrower has one of its own while it holds it.
pub struct Pool {
    url: DbUrl,
    idle: Mutex<Vec<Box<dyn Store>>>,
}

/// The page cache of each pooled connection (and of the refresher's): a request reads a page of
/// rows or one record, and the file's pages are in the system's cache anyway. At 64 MiB each (a
/// command's default), the connections of a busy server came to half a gigabyte.
const POOLED_CACHE: usize = 8 << 20;

/// A store borrowed from a [`Pool`], handed back when dropped.
pub struct PooledStore<'p> {
    pool: &'p Pool,
    store: Option<Box<dyn Store>>,
}

impl Pool {
    /// A pool for the database `url` names (opened once now, which creates and migrates it).
    pub fn new(url: DbUrl) -> Result<Pool> {
        let first = Pool::open(&url)?;
        Ok(Pool { url, idle: Mutex::new(vec![first]) })
    }

    fn open(url: &DbUrl) -> Result<Box<dyn Store>> {
        let store = crate::open(url)?;
        store.cap_cache(POOLED_CACHE)?;
        Ok(store)
    }

    /// An idle store, or a new connection when every store is in use or lost its connection.
    pub fn get(&self) -> Result<PooledStore<'_>> {
        let idle = {
            let mut idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner);
            idle.retain(|store| !store.is_broken());
            idle.pop()
        };
        let store = match idle {
            Some(store) => store,
            None => Pool::open(&self.url)?,
        };
        Ok(PooledStore { pool: self, store: Some(store) })
    }
}

impl Deref for PooledStore<'_> {
    type Target = dyn Store;

    fn deref(&self) -> &(dyn Store + 'static) {
        // Present until dropped.
        self.store.as_deref().unwrap_or_else(|| unreachable!("a pooled store is held until dropped"))
    }
}

impl DerefMut for PooledStore<'_> {
    fn deref_mut(&mut self) -> &mut (dyn Store + 'static) {
        self.store.as_deref_mut().unwrap_or_else(|| unreachable!("a pooled store is held until dropped"))
    }
}

impl Drop for PooledStore<'_> {
    fn drop(&mut self) {
        if let Some(store) = self.store.take().filter(|store| !store.is_broken()) {
            self.pool.idle.lock().unwrap_or_else(PoisonError::into_inner).push(store);
        }
    }
}

/// A month's tables with the month's flash alerts, as every output reads them.
pub type MonthAnswer = (MonthTables, Vec<Alert>);

/// A month's answer as the cache keeps it: with the forms it was rendered in for clients (JSON,
/// public JSON…), so that an answer asked for again is neither computed nor rendered again.
pub struct CachedAnswer {
    answer: MonthAnswer,
    renders: Mutex<HashMap<String, Arc<[u8]>>>,
    /// What it holds, about: the tables, and every render's bytes as they are added.
    bytes: std::sync::atomic::AtomicUsize,
    /// What each sight of the answer may show (computed the first time it is asked for).
    disclosures: Mutex<HashMap<Sight, Arc<Disclosure>>>,
}

impl std::ops::Deref for CachedAnswer {
    type Target = MonthAnswer;

    fn deref(&self) -> &MonthAnswer {
        &self.answer
    }
}

impl CachedAnswer {
    fn new(answer: MonthAnswer) -> CachedAnswer {
        let bytes = TABLES_BYTES + answer.1.len() * ALERT_BYTES;
        CachedAnswer {
            answer,
            renders: Mutex::new(HashMap::new()),
            disclosures: Mutex::new(HashMap::new()),
            bytes: std::sync::atomic::AtomicUsize::new(bytes),
        }
    }

    /// What it holds in memory, about, in bytes.
    pub fn bytes(&self) -> usize {
        self.bytes.load(Ordering::Relaxed)
    }

    /// The answer rendered in `form` by `render`, the first time it is asked for.
    pub fn rendered<E>(
        &self,
        form: &str,
        render: impl FnOnce(&MonthAnswer) -> std::result::Result<Vec<u8>, E>,
    ) -> std::result::Result<Arc<[u8]>, E> {
        if let Some(done) = self.renders.lock().unwrap_or_else(PoisonError::into_inner).get(form) {
            return Ok(Arc::clone(done));
        }
        // Rendered outside the lock: two first requests may both render; both get the same bytes.
        let bytes: Arc<[u8]> = render(&self.answer)?.into();
        let mut renders = self.renders.lock().unwrap_or_else(PoisonError::into_inner);
        if renders.insert(form.to_owned(), Arc::clone(&bytes)).is_none() {
            self.bytes.fetch_add(bytes.len(), Ordering::Relaxed);
        }
        Ok(bytes)
    }
}

/// The most the cached answers take with their renders (a dashboard's figures are about a
/// megabyte, most of it the maps' outlines); the oldest are dropped first.
const ANSWER_BYTES: usize = 128 << 20;
/// A month's tables in memory, about (measured: tens of kilobytes; rounded up).
const TABLES_BYTES: usize = 128 << 10;
/// A flash alert in memory, about.
const ALERT_BYTES: usize = 512;

/// One process's aggregation state, shared by every request. A refresh builds the next
/// version of the facts beside the current one and swaps it in whole, so a reader sees an
/// import (or any write) entirely or not at all, and never waits for it. Answers are cached by
/// data version: an unchanged database answers from memory.
pub struct Shared {
    versions: Arc<Versions>,
    /// Asks the background refresher, when there is one, to take writes in; dropping it ends
    /// the refresher's thread.
    refresher: Option<Mutex<std::sync::mpsc::SyncSender<std::sync::mpsc::Sender<()>>>>,
    /// Answers by data version, month and filter, each with when it was kept (a count).
    cache: Mutex<AnswerCache>,
    /// The risk answers and alerts of a month, by data version: every filter of the month
    /// counts them.
    records: Mutex<HashMap<(i64, Month), Arc<MonthRecords>>>,
    coverage: Mutex<HashMap<(i64, Month), Arc<MonthCoverage>>>,
    /// Lists' whole selections in order, by data version, filter and order: every page of a
    /// list asked for before is a slice. Bounded by [`ORDERED_BYTES`].
    ordered: Mutex<HashMap<ListKey, Arc<Ordered>>>,
    /// The early-warning rules of every answer's signals.
    signal_rules: vigie_core::aggregate::SignalRules,
}

#[derive(Default)]
struct AnswerCache {
    answers: HashMap<(i64, Month, Filter), (u64, Arc<CachedAnswer>)>,
    kept: u64,
    /// Answers found here, and answers counted again (for the operator's metrics).
    hits: u64,
    misses: u64,
}

/// A list's selection: data version, filter, order and whether descending.
type ListKey = (i64, Filter, SortBy, bool);

/// The most the kept list selections take (12 bytes a row: about 5 M rows).
const ORDERED_BYTES: usize = 64 << 20;

/// What a month's views share whatever their filter (the dashboard's coverage panel and map
/// annex): counted once per data version, not for each click.
pub struct MonthCoverage {
    /// The year's violations per commune, from January to the month.
    pub communes: Vec<u64>,
    /// The month's violations, and how many of them lack a report date, a location.
    pub violations: u64,
    pub no_report_date: u64,
    pub no_location: u64,
}

/// The facts' current version and how the next one is made.
struct Versions {
    catalog: Catalog,
    current: RwLock<Arc<LiveFacts>>,
    /// One refresh at a time; readers never wait for it.
    refreshing: Mutex<()>,
    pushed: Pushed,
    /// [`Pushed::changes`] as it was when the last look at the change feed began: when it has
    /// not moved since, and the listener is connected, the facts are current without asking.
    looked: AtomicU64,
}

/// What PostgreSQL's notifications tell this process without a request asking the database:
/// counters that each notification moves, valid while the listening connection is up. A
/// request then needs no round trip to know the data (or who may do what) is unchanged.
#[derive(Default)]
struct Pushed {
    listening: AtomicBool,
    /// Notifications of the change feed received (and reconnections, which may have missed some).
    changes: AtomicU64,
    /// Notifications of changes of access received (and reconnections).
    access: AtomicU64,
}

/// How long a reader that finds the facts behind waits for them to catch up: a single edit is
/// taken in well within it (the next answer counts it); a large import is not, and readers
/// answer from the version before until it is in.
const READER_WAIT: std::time::Duration = std::time::Duration::from_millis(50);

impl Versions {
    fn current(&self) -> Arc<LiveFacts> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Takes in what was committed since the current version; when another thread is at it,
    /// waits for it (`wait`) or returns the current version.
    fn take_in(&self, store: &dyn Store, wait: bool) -> Result<Arc<LiveFacts>> {
        let now = self.current();
        if self.is_current(store, &now)? {
            return Ok(now);
        }
        let _one = match self.refreshing.try_lock() {
            Ok(one) => one,
            Err(std::sync::TryLockError::Poisoned(poisoned)) => poisoned.into_inner(),
            Err(std::sync::TryLockError::WouldBlock) if wait => {
                self.refreshing.lock().unwrap_or_else(PoisonError::into_inner)
            }
            Err(std::sync::TryLockError::WouldBlock) => return Ok(now),
        };
        // Another thread may have refreshed while this one waited.
        let pushed = self.pushed.changes.load(Ordering::Acquire);
        let now = self.current();
        if self.is_current(store, &now)? {
            return Ok(now);
        }
        let mut next = LiveFacts::clone(&now);
        next.refresh(store, &self.catalog)?;
        let next = Arc::new(next);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&next);
        self.looked.fetch_max(pushed, Ordering::AcqRel);
        Ok(next)
    }

    /// Whether `facts` are the change feed's newest version, asking the store.
    fn is_current(&self, store: &dyn Store, facts: &LiveFacts) -> Result<bool> {
        let pushed = self.pushed.changes.load(Ordering::Acquire);
        let current = store.last_change()? == facts.version();
        if current {
            self.looked.fetch_max(pushed, Ordering::AcqRel);
        }
        Ok(current)
    }

    /// Whether the facts are current as far as the notifications tell, without asking.
    fn current_as_pushed(&self) -> bool {
        self.pushed.listening.load(Ordering::Acquire)
            && self.looked.load(Ordering::Acquire) == self.pushed.changes.load(Ordering::Acquire)
    }
}

impl Shared {
    pub fn load(store: &dyn Store, catalog: Catalog) -> Result<Shared> {
        let live = LiveFacts::load(store, &catalog)?;
        let signal_rules = vigie_core::aggregate::SignalRules::builtin(&catalog);
        Ok(Shared {
            signal_rules,
            versions: Arc::new(Versions {
                catalog,
                current: RwLock::new(Arc::new(live)),
                refreshing: Mutex::new(()),
                pushed: Pushed::default(),
                looked: AtomicU64::new(0),
            }),
            refresher: None,
            cache: Mutex::new(AnswerCache::default()),
            records: Mutex::new(HashMap::new()),
            coverage: Mutex::new(HashMap::new()),
            ordered: Mutex::new(HashMap::new()),
        })
    }

    /// Takes writes in on a thread of its own, with its own connection to `url`, rather than on
    /// the reader that finds the facts behind: a reader then waits for a refresh at most
    /// [`READER_WAIT`] (a server's readers, while a large import is taken in).
    pub fn refresh_in_background(self, url: DbUrl) -> Shared {
        self.refresh_in_background_polling(url, POLL)
    }

    /// [`Shared::refresh_in_background`], looking at the change feed every `poll` when no
    /// notification comes (a test sets it past its own length, to see notifications alone at
    /// work).
    pub fn refresh_in_background_polling(mut self, url: DbUrl, poll: std::time::Duration) -> Shared {
        if url == DbUrl::SqliteMemory {
            // Another connection would open another database.
            return self;
        }
        let (ask, asked) = std::sync::mpsc::sync_channel::<std::sync::mpsc::Sender<()>>(1);
        let versions = Arc::clone(&self.versions);
        let refresh_url = url.clone();
        let started = std::thread::Builder::new().name("vigie-refresh".into()).spawn(move || {
            let mut store: Option<Box<dyn Store>> = None;
            for done in asked {
                if store.as_ref().is_none_or(|store| store.is_broken()) {
                    store = Pool::open(&refresh_url).ok();
                }
                if let Some(store) = &store
                    && let Err(e) = versions.take_in(store.as_ref(), true)
                {
                    eprintln!("vigie: taking writes in: {e}");
                }
                let _ = done.send(());
            }
        });
        if started.is_ok() {
            if let DbUrl::Postgres(url) = &url {
                listen(url.clone(), Arc::downgrade(&self.versions), ask.clone(), poll);
            }
            self.refresher = Some(Mutex::new(ask));
        }
        self
    }

    pub fn catalog(&self) -> &Catalog {
        &self.versions.catalog
    }

    /// The early-warning rules (the embedded ones until [`Shared::set_signal_rules`]).
    pub fn signal_rules(&self) -> &vigie_core::aggregate::SignalRules {
        &self.signal_rules
    }

    /// A cluster's own early-warning rules, before any answer is kept.
    pub fn set_signal_rules(&mut self, rules: vigie_core::aggregate::SignalRules) {
        self.signal_rules = rules;
    }

    /// What a cache of sessions and tokens (or of the access settings) is valid for: an answer
    /// read from the store after this tag was taken may be kept while the tag stays the same.
    /// `None` when no notification would say it changed (SQLite, or PostgreSQL's listening
    /// connection down): then every request asks the store.
    pub fn access_tag(&self) -> Option<(u64, u64)> {
        let pushed = &self.versions.pushed;
        pushed
            .listening
            .load(Ordering::Acquire)
            .then(|| (crate::accounts::access_changes(), pushed.access.load(Ordering::Acquire)))
    }

    /// The facts as of the last refresh.
    pub fn current(&self) -> Arc<LiveFacts> {
        self.versions.current()
    }

    /// Takes in what any writer committed since the last refresh, and returns that version.
    /// While another thread takes a write in (a large import takes a second or two), readers do
    /// not wait for it: they answer from the version before, whole.
    pub fn refresh(&self, store: &dyn Store) -> Result<Arc<LiveFacts>> {
        let Some(refresher) = &self.refresher else { return self.versions.take_in(store, false) };
        let now = self.current();
        if self.versions.current_as_pushed() || self.versions.is_current(store, &now)? {
            return Ok(now);
        }
        let (done, finished) = std::sync::mpsc::channel();
        // A full queue: a refresh is asked for already, and this reader does not wait.
        if refresher.lock().unwrap_or_else(PoisonError::into_inner).try_send(done).is_ok()
            && finished.recv_timeout(READER_WAIT).is_ok()
        {
            return Ok(self.current());
        }
        Ok(now)
    }

    /// [`Shared::refresh`], waiting for a refresh under way: after a write, so that the writer's
    /// next answer counts it.
    pub fn catch_up(&self, store: &dyn Store) -> Result<Arc<LiveFacts>> {
        self.versions.take_in(store, true)
    }

    /// A month's tables for `filter` at the newest version, from the cache when that version
    /// was asked already. The violations come from the facts, the risk answers and alerts from
    /// the store: an answer is kept only if no write committed while it was read, so that all
    /// of it is of one version (a write in between makes it read again).
    pub fn month_tables(&self, store: &dyn Store, month: Month, filter: &Filter) -> Result<Arc<CachedAnswer>> {
        let mut tries = 0;
        loop {
            let live = self.refresh(store)?;
            let key = (live.version(), month, filter.clone());
            {
                let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
                if let Some(hit) = cache.answers.get(&key).map(|(_, hit)| Arc::clone(hit)) {
                    cache.hits += 1;
                    return Ok(hit);
                }
                cache.misses += 1;
            }
            let records = self.month_records(store, live.version(), month)?;
            let answer = Arc::new(CachedAnswer::new(records.tables(self.catalog(), &live.facts, month, filter)));
            tries += 1;
            if store.last_change()? != live.version() {
                if tries < 3 {
                    continue;
                }
                // Writes keep coming: answer with this one, uncached.
                return Ok(answer);
            }
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            cache.answers.retain(|(version, _, _), _| *version == live.version());
            // Counted meanwhile by another request: that one is kept (with whatever it has
            // rendered already), so that the first clicks on a view do not each render it.
            if let Some((_, first)) = cache.answers.get(&key) {
                return Ok(Arc::clone(first));
            }
            let mut bytes: usize = cache.answers.values().map(|(_, a)| a.bytes()).sum();
            while bytes + answer.bytes() > ANSWER_BYTES {
                let Some(oldest) = cache.answers.iter().min_by_key(|(_, (kept, _))| *kept).map(|(k, _)| k.clone())
                else {
                    break;
                };
                bytes -= cache.answers.remove(&oldest).map_or(0, |(_, a)| a.bytes());
            }
            cache.kept += 1;
            let kept = cache.kept;
            cache.answers.insert(key, (kept, Arc::clone(&answer)));
            return Ok(answer);
        }
    }

    /// How many month tables were answered from the cache, and how many were counted again,
    /// since this process started.
    pub fn answer_cache_counts(&self) -> (u64, u64) {
        let cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
        (cache.hits, cache.misses)
    }

    /// What `answer` (the month's tables for `filter`) may show to a caller of `sight`: the
    /// disclosure rule over the same tables counted on the records hidden from that caller
    /// (themselves a cached answer). Kept with the answer, per sight.
    pub fn disclosure(
        &self,
        store: &dyn Store,
        answer: &CachedAnswer,
        filter: &Filter,
        sight: &Sight,
        k: MinCount,
    ) -> Result<Arc<Disclosure>> {
        if let Some(done) = answer.disclosures.lock().unwrap_or_else(PoisonError::into_inner).get(sight) {
            return Ok(Arc::clone(done));
        }
        let organizations = self.current().facts.organizations().to_vec();
        let disclosure = Arc::new(match sight.hidden(filter, &organizations) {
            None => Disclosure::exact(),
            Some(hidden) if hidden == *filter => Disclosure::of(&answer.0, &answer.0, self.catalog(), filter, k),
            Some(hidden) => {
                let hidden = self.month_tables(store, answer.0.month, &hidden)?;
                Disclosure::of(&answer.0, &hidden.0, self.catalog(), filter, k)
            }
        });
        answer
            .disclosures
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(sight.clone(), Arc::clone(&disclosure));
        Ok(disclosure)
    }

    /// Every violation `filter` selects at the version of `live`, in list order: from memory
    /// when a page of the same list was asked before.
    pub fn ordered(&self, live: &LiveFacts, filter: &Filter, sort: SortBy, descending: bool) -> Arc<Ordered> {
        let key = (live.version(), filter.clone(), sort, descending);
        if let Some(hit) = self.ordered.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
            return Arc::clone(hit);
        }
        let ordered = Arc::new(live.facts.ordered(self.catalog(), filter, sort, descending));
        let mut kept = self.ordered.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|(version, ..), _| *version == live.version());
        let mut bytes: usize = kept.values().map(|o| o.bytes()).sum();
        // Room for the new one, the others dropped in no particular order.
        while bytes + ordered.bytes() > ORDERED_BYTES
            && let Some(old) = kept.keys().next().cloned()
        {
            bytes -= kept.remove(&old).map_or(0, |o| o.bytes());
        }
        if ordered.bytes() <= ORDERED_BYTES {
            kept.insert(key, Arc::clone(&ordered));
        }
        ordered
    }

    /// The month's [`MonthCoverage`] at the version of `live`: from memory when counted already.
    pub fn coverage(&self, store: &dyn Store, live: &LiveFacts, month: Month) -> Result<Arc<MonthCoverage>> {
        month_kept(&self.coverage, store, live.version(), month, || {
            let january = month.months_of_year().next().unwrap_or(month);
            let (violations, no_report_date, no_location) = live.facts.completeness(month);
            let communes = live.facts.commune_counts(self.catalog(), january, month);
            Ok(MonthCoverage { communes, violations, no_report_date, no_location })
        })
    }

    /// A month's risk answers and alerts at data version `version`: from memory when read
    /// already at that version, else from the store (kept only if no write committed meanwhile).
    fn month_records(&self, store: &dyn Store, version: i64, month: Month) -> Result<Arc<MonthRecords>> {
        month_kept(&self.records, store, version, month, || {
            MonthRecords::read(store, self.catalog(), month, &self.signal_rules)
        })
    }
}

/// What `read` gives for `month` at data `version`: from `kept` when read already at that
/// version, else read now, and kept (the other versions' dropped) only if no write committed
/// while it was read.
fn month_kept<T>(
    kept: &Mutex<HashMap<(i64, Month), Arc<T>>>,
    store: &dyn Store,
    version: i64,
    month: Month,
    read: impl FnOnce() -> Result<T>,
) -> Result<Arc<T>> {
    if let Some(hit) = kept.lock().unwrap_or_else(PoisonError::into_inner).get(&(version, month)) {
        return Ok(Arc::clone(hit));
    }
    let value = Arc::new(read()?);
    if store.last_change()? == version {
        let mut kept = kept.lock().unwrap_or_else(PoisonError::into_inner);
        kept.retain(|(v, _), _| *v == version);
        kept.insert((version, month), Arc::clone(&value));
    }
    Ok(value)
}

/// How often a process that is not woken by a notification still looks at the change feed.
const POLL: std::time::Duration = std::time::Duration::from_secs(1);

/// Asks the refresher to take writes in whenever another process commits one (PostgreSQL's
/// `NOTIFY`), and at least every [`POLL`] should a notification be missed (a lost connection):
/// every process follows every other's writes within a second, without a request to prompt it.
/// Ends when the aggregation state it serves is dropped.
fn listen(
    url: String,
    weak: std::sync::Weak<Versions>,
    ask: std::sync::mpsc::SyncSender<std::sync::mpsc::Sender<()>>,
    poll: std::time::Duration,
) {
    let _ = std::thread::Builder::new().name("vigie-listen".into()).spawn(move || {
        let mut listener = None;
        while let Some(versions) = weak.upgrade() {
            let pushed = &versions.pushed;
            if listener.is_none() {
                listener = crate::postgres::Listener::new(&url).ok();
                if listener.is_some() {
                    // Whatever came while no one listened is looked at once.
                    pushed.changes.fetch_add(1, Ordering::AcqRel);
                    pushed.access.fetch_add(1, Ordering::AcqRel);
                    pushed.listening.store(true, Ordering::Release);
                }
            }
            match listener.as_mut().map(|l| l.wait(poll)) {
                Some(Ok(woken)) => {
                    if woken.access {
                        pushed.access.fetch_add(1, Ordering::AcqRel);
                    }
                    if woken.changes {
                        pushed.changes.fetch_add(1, Ordering::AcqRel);
                    }
                }
                Some(Err(_)) => {
                    pushed.listening.store(false, Ordering::Release);
                    listener = None;
                }
                None => std::thread::sleep(poll.min(POLL)),
            }
            // A full queue: a refresh is asked for already.
            let (done, _) = std::sync::mpsc::channel();
            let _ = ask.try_send(done);
        }
    });
}
