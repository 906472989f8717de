//! A dependency graph over arbitrary node keys, with cycle reporting and an ordered
//! parallel walk.
//!
//! An edge `a → b` means "a depends on b": b runs first. Destroy walks use
//! [`Dag::reversed`], so dependents are deleted before what they depend on.

use futures::future::BoxFuture;
use petgraph::algo::tarjan_scc;
use petgraph::graph::{DiGraph, NodeIndex};
use petgraph::Direction;
use std::collections::{BTreeMap, BTreeSet, HashMap};
use std::fmt::Display;
use std::hash::Hash;
use std::sync::Arc;
use tokio::task::JoinSet;

pub struct Dag<K> {
    graph: DiGraph<K, ()>,
    index: HashMap<K, NodeIndex>,
}

impl<K: Clone + Eq + Hash + Ord + Display> Default for Dag<K> {
    fn default() -> Self {
        Self::new()
    }
}

/// How one node of a walk ended.
#[derive(Debug, Clone, PartialEq)]
pub enum Outcome<E> {
    Done,
    Failed(E),
    /// The visit panicked: a bug in skyform. Its dependents are skipped like a failure's.
    Panicked(String),
    /// Not run because something it depends on failed (or the walk was cancelled).
    Skipped,
}

impl<K: Clone + Eq + Hash + Ord + Display> Dag<K> {
    pub fn new() -> Self {
        Dag {
            graph: DiGraph::new(),
            index: HashMap::new(),
        }
    }

    pub fn add_node(&mut self, k: K) -> NodeIndex {
        if let Some(i) = self.index.get(&k) {
            return *i;
        }
        let i = self.graph.add_node(k.clone());
        self.index.insert(k, i);
        i
    }

    pub fn contains(&self, k: &K) -> bool {
        self.index.contains_key(k)
    }

    /// `from` depends on `to`.
    pub fn add_edge(&mut self, from: &K, to: &K) {
        let a = self.add_node(from.clone());
        let b = self.add_node(to.clone());
        if !self.graph.contains_edge(a, b) {
            self.graph.add_edge(a, b, ());
        }
    }

    pub fn nodes(&self) -> impl Iterator<Item = &K> {
        self.graph.node_weights()
    }

    pub fn len(&self) -> usize {
        self.graph.node_count()
    }

    pub fn is_empty(&self) -> bool {
        self.graph.node_count() == 0
    }

    /// What `k` depends on directly.
    pub fn dependencies(&self, k: &K) -> Vec<K> {
        match self.index.get(k) {
            Some(i) => self
                .graph
                .neighbors_directed(*i, Direction::Outgoing)
                .map(|j| self.graph[j].clone())
                .collect(),
            None => Vec::new(),
        }
    }

    /// Whether anything depends on `k`.
    pub fn has_dependents(&self, k: &K) -> bool {
        self.index.get(k).is_some_and(|i| {
            self.graph
                .neighbors_directed(*i, Direction::Incoming)
                .next()
                .is_some()
        })
    }

    /// Everything `k` depends on, directly or not.
    pub fn ancestors(&self, k: &K) -> BTreeSet<K> {
        let mut out = BTreeSet::new();
        let mut stack = self.dependencies(k);
        while let Some(n) = stack.pop() {
            if out.insert(n.clone()) {
                stack.extend(self.dependencies(&n));
            }
        }
        out
    }

    /// The same graph with every edge turned around.
    pub fn reversed(&self) -> Dag<K> {
        let mut g = Dag::new();
        for k in self.nodes() {
            g.add_node(k.clone());
        }
        for e in self.graph.edge_indices() {
            if let Some((a, b)) = self.graph.edge_endpoints(e) {
                g.add_edge(&self.graph[b], &self.graph[a]);
            }
        }
        g
    }

    /// Every cycle, each as its members sorted by name; empty when the graph is a DAG.
    pub fn cycles(&self) -> Vec<Vec<K>> {
        let mut out = Vec::new();
        for scc in tarjan_scc(&self.graph) {
            let is_cycle = scc.len() > 1 || self.graph.contains_edge(scc[0], scc[0]);
            if is_cycle {
                let mut members: Vec<K> = scc.iter().map(|i| self.graph[*i].clone()).collect();
                members.sort();
                out.push(members);
            }
        }
        out.sort();
        out
    }

    /// Runs `visit` on every node once all its dependencies finished successfully, with up
    /// to `parallelism` nodes at once. A failed node skips everything that depends on it;
    /// independent branches carry on. When `cancel` becomes true, nothing new starts.
    pub async fn walk<E, F>(
        &self,
        parallelism: usize,
        cancel: Arc<std::sync::atomic::AtomicBool>,
        visit: F,
    ) -> BTreeMap<K, Outcome<E>>
    where
        K: Send + Sync + 'static,
        E: Send + 'static,
        F: Fn(K) -> BoxFuture<'static, Result<(), E>>,
    {
        use std::sync::atomic::Ordering;
        let parallelism = parallelism.max(1);
        let n = self.graph.node_count();
        let mut waiting: Vec<usize> = (0..n)
            .map(|i| {
                self.graph
                    .neighbors_directed(NodeIndex::new(i), Direction::Outgoing)
                    .count()
            })
            .collect();
        let mut ready: std::collections::BTreeSet<(K, usize)> = (0..n)
            .filter(|i| waiting[*i] == 0)
            .map(|i| (self.graph[NodeIndex::new(i)].clone(), i))
            .collect();
        let mut outcomes: BTreeMap<K, Outcome<E>> = BTreeMap::new();
        let mut running: JoinSet<Result<(), E>> = JoinSet::new();
        let mut tasks: HashMap<tokio::task::Id, usize> = HashMap::new();
        let mut blocked = vec![false; n];
        loop {
            while running.len() < parallelism && !cancel.load(Ordering::SeqCst) {
                let Some((k, i)) = ready.pop_first() else {
                    break;
                };
                let handle = running.spawn(visit(k));
                tasks.insert(handle.id(), i);
            }
            let Some(joined) = running.join_next_with_id().await else {
                break;
            };
            let (i, outcome) = match joined {
                Ok((id, result)) => (
                    tasks.remove(&id),
                    result.map_or_else(Outcome::Failed, |_| Outcome::Done),
                ),
                Err(e) => (tasks.remove(&e.id()), Outcome::Panicked(panic_text(e))),
            };
            let Some(i) = i else {
                continue;
            };
            let key = self.graph[NodeIndex::new(i)].clone();
            let ok = matches!(outcome, Outcome::Done);
            outcomes.insert(key, outcome);
            for dependent in self
                .graph
                .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
            {
                let d = dependent.index();
                if !ok {
                    blocked[d] = true;
                }
                waiting[d] = waiting[d].saturating_sub(1);
                if waiting[d] == 0 {
                    if blocked[d] {
                        self.skip_from(d, &mut blocked, &mut waiting, &mut outcomes);
                    } else {
                        ready.insert((self.graph[dependent].clone(), d));
                    }
                }
            }
        }
        for i in 0..n {
            let k = &self.graph[NodeIndex::new(i)];
            outcomes.entry(k.clone()).or_insert(Outcome::Skipped);
        }
        outcomes
    }

    /// Marks `start` skipped and propagates to dependents that become ready.
    fn skip_from<E>(
        &self,
        start: usize,
        blocked: &mut [bool],
        waiting: &mut [usize],
        outcomes: &mut BTreeMap<K, Outcome<E>>,
    ) {
        let mut stack = vec![start];
        while let Some(i) = stack.pop() {
            outcomes.insert(self.graph[NodeIndex::new(i)].clone(), Outcome::Skipped);
            for dependent in self
                .graph
                .neighbors_directed(NodeIndex::new(i), Direction::Incoming)
            {
                let d = dependent.index();
                blocked[d] = true;
                waiting[d] = waiting[d].saturating_sub(1);
                if waiting[d] == 0 {
                    stack.push(d);
                }
            }
        }
    }
}

/// What a panicking task said, for the internal-error message.
fn panic_text(e: tokio::task::JoinError) -> String {
    if e.is_cancelled() {
        return "the task was cancelled".to_string();
    }
    let payload = e.into_panic();
    if let Some(s) = payload.downcast_ref::<&str>() {
        s.to_string()
    } else if let Some(s) = payload.downcast_ref::<String>() {
        s.clone()
    } else {
        "a panic without a message".to_string()
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use futures::FutureExt;
    use std::sync::atomic::{AtomicBool, AtomicUsize, Ordering};
    use std::sync::Mutex;

    fn chain() -> Dag<String> {
        let mut g = Dag::new();
        g.add_edge(&"c".to_string(), &"b".to_string());
        g.add_edge(&"b".to_string(), &"a".to_string());
        g.add_node("x".to_string());
        g
    }

    #[test]
    fn reports_every_member_of_a_cycle() {
        let mut g = chain();
        g.add_edge(&"a".to_string(), &"c".to_string());
        assert_eq!(
            g.cycles(),
            vec![vec!["a".to_string(), "b".to_string(), "c".to_string()]]
        );
        let mut g2: Dag<String> = Dag::new();
        g2.add_edge(&"s".to_string(), &"s".to_string());
        assert_eq!(g2.cycles(), vec![vec!["s".to_string()]]);
        assert!(chain().cycles().is_empty());
    }

    #[tokio::test]
    async fn walks_in_dependency_order_and_reverse() {
        let g = chain();
        let order = Arc::new(Mutex::new(Vec::new()));
        let o = order.clone();
        let out = g
            .walk::<(), _>(4, Arc::new(AtomicBool::new(false)), move |k| {
                let o = o.clone();
                async move {
                    o.lock().unwrap().push(k);
                    Ok(())
                }
                .boxed()
            })
            .await;
        assert!(out.values().all(|o| *o == Outcome::Done));
        let order = order.lock().unwrap().clone();
        let pos = |s: &str| order.iter().position(|x| x == s).unwrap();
        assert!(pos("a") < pos("b") && pos("b") < pos("c"));

        let rev = g.reversed();
        let order2 = Arc::new(Mutex::new(Vec::new()));
        let o2 = order2.clone();
        rev.walk::<(), _>(1, Arc::new(AtomicBool::new(false)), move |k| {
            let o = o2.clone();
            async move {
                o.lock().unwrap().push(k);
                Ok(())
            }
            .boxed()
        })
        .await;
        let order2 = order2.lock().unwrap().clone();
        let pos2 = |s: &str| order2.iter().position(|x| x == s).unwrap();
        assert!(pos2("c") < pos2("b") && pos2("b") < pos2("a"));
    }

    #[tokio::test]
    async fn failure_skips_dependents_only() {
        let g = chain();
        let out = g
            .walk(4, Arc::new(AtomicBool::new(false)), |k| {
                async move {
                    if k == "a" {
                        Err("boom")
                    } else {
                        Ok(())
                    }
                }
                .boxed()
            })
            .await;
        assert_eq!(out["a"], Outcome::Failed("boom"));
        assert_eq!(out["b"], Outcome::Skipped);
        assert_eq!(out["c"], Outcome::Skipped);
        assert_eq!(out["x"], Outcome::Done);
    }

    #[tokio::test]
    async fn a_panicking_node_is_reported_not_lost() {
        let g = chain();
        let out = g
            .walk::<(), _>(4, Arc::new(AtomicBool::new(false)), |k| {
                async move {
                    if k == "a" {
                        panic!("node a broke");
                    }
                    Ok(())
                }
                .boxed()
            })
            .await;
        assert_eq!(out["a"], Outcome::Panicked("node a broke".to_string()));
        assert_eq!(out["b"], Outcome::Skipped);
        assert_eq!(out["c"], Outcome::Skipped);
        assert_eq!(out["x"], Outcome::Done);
    }

    #[tokio::test]
    async fn parallelism_is_bounded() {
        let mut g: Dag<String> = Dag::new();
        for i in 0..30 {
            g.add_node(format!("n{i:02}"));
        }
        let now = Arc::new(AtomicUsize::new(0));
        let peak = Arc::new(AtomicUsize::new(0));
        let (n2, p2) = (now.clone(), peak.clone());
        g.walk::<(), _>(3, Arc::new(AtomicBool::new(false)), move |_| {
            let (now, peak) = (n2.clone(), p2.clone());
            async move {
                let c = now.fetch_add(1, Ordering::SeqCst) + 1;
                peak.fetch_max(c, Ordering::SeqCst);
                tokio::time::sleep(std::time::Duration::from_millis(5)).await;
                now.fetch_sub(1, Ordering::SeqCst);
                Ok(())
            }
            .boxed()
        })
        .await;
        assert_eq!(peak.load(Ordering::SeqCst), 3);
    }
}
