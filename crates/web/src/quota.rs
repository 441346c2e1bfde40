//! Places counted in all and per client: open connections, and requests whose handlers are still
//! running (a handler runs to its end even when its client has gone, so the places it holds
//! must be bounded, or a client that sends and hangs up could pile up work without end).

use std::collections::HashMap;
use std::net::IpAddr;
use std::sync::{Arc, Mutex};

#[derive(Debug)]
pub struct Quota {
    total: usize,
    per_client: usize,
    taken: Mutex<(usize, HashMap<IpAddr, usize>)>,
}

/// One place; dropping it gives the place back.
#[derive(Debug)]
pub struct Place {
    quota: Arc<Quota>,
    client: IpAddr,
}

impl Quota {
    pub fn new(total: usize, per_client: usize) -> Arc<Quota> {
        Arc::new(Quota {
            total: total.max(1),
            per_client: per_client.max(1),
            taken: Mutex::new((0, HashMap::new())),
        })
    }

    /// A place for `client`, or `None` when all places, or the client's share, are taken.
    pub fn take(self: &Arc<Self>, client: IpAddr) -> Option<Place> {
        let mut taken = self.taken.lock().unwrap_or_else(|e| e.into_inner());
        let (all, by_client) = &mut *taken;
        let mine = by_client.get(&client).copied().unwrap_or(0);
        if *all >= self.total || mine >= self.per_client {
            return None;
        }
        *all += 1;
        by_client.insert(client, mine + 1);
        Some(Place {
            quota: self.clone(),
            client,
        })
    }

    /// Places taken now (for tests and metrics).
    pub fn in_use(&self) -> usize {
        self.taken.lock().unwrap_or_else(|e| e.into_inner()).0
    }
}

impl Drop for Place {
    fn drop(&mut self) {
        let mut taken = self.quota.taken.lock().unwrap_or_else(|e| e.into_inner());
        let (all, by_client) = &mut *taken;
        *all = all.saturating_sub(1);
        if let Some(n) = by_client.get_mut(&self.client) {
            *n = n.saturating_sub(1);
            if *n == 0 {
                by_client.remove(&self.client);
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_client_gets_its_share_and_places_come_back() {
        let q = Quota::new(3, 2);
        let a = IpAddr::from([10, 0, 0, 1]);
        let b = IpAddr::from([10, 0, 0, 2]);
        let p1 = q.take(a).unwrap();
        let _p2 = q.take(a).unwrap();
        assert!(q.take(a).is_none(), "a's share is two");
        let _p3 = q.take(b).unwrap();
        assert!(q.take(b).is_none(), "three in all");
        drop(p1);
        let again = q.take(a);
        assert!(again.is_some());
        assert_eq!(q.in_use(), 3);
    }
}
