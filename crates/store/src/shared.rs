//! What a long-running process shares between requests: a pool of stores (each with its own
//! connection, so that readers never wait for each other or for a running import) and one
//! in-memory aggregation state that follows the change feed.

use std::collections::HashMap;
use std::ops::{Deref, DerefMut};
use std::sync::{Arc, Mutex, PoisonError, RwLock};

use vigie_core::aggregate::{Filter, MonthTables};
use vigie_core::{Alert, Catalog, Month};

use crate::{DbUrl, LiveFacts, Result, Store};

/// Stores for many threads: each borrower has one of its own while it holds it.
pub struct Pool {
    url: DbUrl,
    idle: Mutex<Vec<Box<dyn Store>>>,
}

/// A store borrowed from a [`Pool`], handed back when dropped.
pub struct PooledStore<'p> {
    pool: &'p Pool,
    store: Option<Box<dyn Store>>,
}

impl Pool {
    /// A pool for the database `url` names (opened once now, which creates and migrates it).
    pub fn new(url: DbUrl) -> Result<Pool> {
        let first = crate::open(&url)?;
        Ok(Pool { url, idle: Mutex::new(vec![first]) })
    }

    /// An idle store, or a new connection when every store is in use.
    pub fn get(&self) -> Result<PooledStore<'_>> {
        let idle = self.idle.lock().unwrap_or_else(PoisonError::into_inner).pop();
        let store = match idle {
            Some(store) => store,
            None => crate::open(&self.url)?,
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
        if let Some(store) = self.store.take() {
            self.pool.idle.lock().unwrap_or_else(PoisonError::into_inner).push(store);
        }
    }
}

/// A month's tables with the month's flash alerts, as every output reads them.
pub type MonthAnswer = (MonthTables, Vec<Alert>);

/// The answers kept, at most, before the oldest versions' are dropped.
const CACHED: usize = 256;

/// One process's aggregation state, shared by every request. A refresh builds the next
/// version of the facts beside the current one and swaps it in whole, so a reader sees an
/// import (or any write) entirely or not at all, and never waits for it. Answers are cached by
/// data version: an unchanged database answers from memory.
pub struct Shared {
    catalog: Catalog,
    current: RwLock<Arc<LiveFacts>>,
    /// One refresh at a time; readers never take it.
    refreshing: Mutex<()>,
    cache: Mutex<HashMap<(i64, Month, Filter), Arc<MonthAnswer>>>,
}

impl Shared {
    pub fn load(store: &dyn Store, catalog: Catalog) -> Result<Shared> {
        let live = LiveFacts::load(store, &catalog)?;
        Ok(Shared {
            catalog,
            current: RwLock::new(Arc::new(live)),
            refreshing: Mutex::new(()),
            cache: Mutex::new(HashMap::new()),
        })
    }

    pub fn catalog(&self) -> &Catalog {
        &self.catalog
    }

    /// The facts as of the last refresh.
    pub fn current(&self) -> Arc<LiveFacts> {
        self.current.read().unwrap_or_else(PoisonError::into_inner).clone()
    }

    /// Takes in what any writer committed since the last refresh, and returns that version.
    pub fn refresh(&self, store: &dyn Store) -> Result<Arc<LiveFacts>> {
        let now = self.current();
        if store.last_change()? == now.version() {
            return Ok(now);
        }
        let _one = self.refreshing.lock().unwrap_or_else(PoisonError::into_inner);
        // Another thread may have refreshed while this one waited.
        let now = self.current();
        let mut next = LiveFacts::clone(&now);
        next.refresh(store, &self.catalog)?;
        let next = Arc::new(next);
        *self.current.write().unwrap_or_else(PoisonError::into_inner) = Arc::clone(&next);
        Ok(next)
    }

    /// A month's tables for `filter` at the newest version, from the cache when that version
    /// was asked already. The violations come from the facts, the risk answers and alerts from
    /// the store: an answer is kept only if no write committed while it was read, so that all
    /// of it is of one version (a write in between makes it read again).
    pub fn month_tables(&self, store: &dyn Store, month: Month, filter: &Filter) -> Result<Arc<MonthAnswer>> {
        let mut tries = 0;
        loop {
            let live = self.refresh(store)?;
            let key = (live.version(), month, filter.clone());
            if let Some(hit) = self.cache.lock().unwrap_or_else(PoisonError::into_inner).get(&key) {
                return Ok(Arc::clone(hit));
            }
            let answer = Arc::new(crate::month_tables(store, &self.catalog, &live.facts, month, filter)?);
            tries += 1;
            if store.last_change()? != live.version() {
                if tries < 3 {
                    continue;
                }
                // Writes keep coming: answer with this one, uncached.
                return Ok(answer);
            }
            let mut cache = self.cache.lock().unwrap_or_else(PoisonError::into_inner);
            if cache.len() >= CACHED {
                cache.retain(|(version, _, _), _| *version == live.version());
                if cache.len() >= CACHED {
                    cache.clear();
                }
            }
            cache.insert(key, Arc::clone(&answer));
            return Ok(answer);
        }
    }
}
