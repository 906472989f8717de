//! Recovering creates that a run started but never saw finish (it was killed, or the cloud's
//! answer was lost): the contract types and the one assignment rule every provider uses.
//!
//! Before a create is sent, skyform makes a *create intent* durable: the address, a
//! fingerprint of what is being created (chosen by the provider through
//! [`super::Provider::create_fingerprint`]) and the client's wall-clock time. When the cloud
//! answers, the token it answered with (mcloud's IP) is added. The next plan hands every
//! intent still open to [`super::Provider::recover_creates`], which lists the cloud once and
//! says, per intent, [`Recovered::Found`], [`Recovered::NotCreated`] or
//! [`Recovered::Ambiguous`]. Providers list; [`assign`] decides, so every provider resolves
//! ambiguity the same way. Providers whose objects carry their create's token (jdcloud's
//! client-token tag, or an id the create answered) use [`by_token`], which matches tokens
//! through one index of the listing and leaves the rest to [`assign`].

use crate::lang::Value;
use chrono::{DateTime, Utc};
use std::collections::{BTreeMap, BTreeSet, HashSet};
use std::time::Duration;

/// How far before an intent's recorded time a matching object may say it was created and
/// still count as the intent's. Two things make the cloud's time earlier than the client's:
/// the cloud reports `CreateTime` in whole seconds (truncation: up to 1 s), and the two
/// clocks may disagree. Two minutes covers both with room; a machine made by hand minutes
/// before the run with the very same spec is outside it.
pub const CLOCK_MARGIN: Duration = Duration::from_secs(120);

/// One open create intent, as recovery sees it.
#[derive(Debug, Clone, PartialEq)]
pub struct CreateIntent {
    /// The resource instance address (`mcloud_instance.web[3]`), for messages.
    pub address: String,
    /// What the cloud's answer named (mcloud: the new machine's IP; jdcloud: the
    /// clientToken, recorded before the call); `None`: no answer was seen.
    pub token: Option<String>,
    /// What the provider's `create_fingerprint` returned when the create was about to be
    /// sent; `None` for intents written before fingerprints existed.
    pub fingerprint: Option<serde_json::Value>,
    /// When the create was about to be sent (client clock).
    pub started_at: Option<DateTime<Utc>>,
}

/// What recovery concluded about one intent.
#[derive(Debug, Clone, PartialEq)]
pub enum Recovered {
    /// The object the create made: adopt it as the address's object.
    Found(Value),
    /// Nothing in the cloud is this intent's object: the create never happened.
    NotCreated,
    /// More unclaimed objects match than there are intents that could have made them:
    /// skyform cannot tell which is this address's, so it adopts none and shows them all.
    Ambiguous(Vec<Candidate>),
    /// Like `Ambiguous`, for an address whose one object is several listed objects (an
    /// instance group's machines) and more of them match than it is made of. No single
    /// candidate can be imported as the address's object, so the provider proposes the id
    /// `skyform import` takes to adopt a selection of them (`import_id`, e.g. the oldest
    /// machines, as many as the group asked for); the user may edit it.
    AmbiguousMembers {
        candidates: Vec<Candidate>,
        import_id: String,
    },
}

/// An object that may be an interrupted create's, shown to the user with an import command.
#[derive(Debug, Clone, PartialEq)]
pub struct Candidate {
    /// The id `skyform import` takes.
    pub id: String,
    /// A short description (`aliyun ecs.c2.medium 10.0.0.7, created 2026-…`).
    pub summary: String,
}

/// One object of the cloud's listing, as [`assign`] sees it.
#[derive(Debug, Clone)]
pub struct Listed<T> {
    pub id: String,
    /// When the cloud says the object was made; `None` when it does not say.
    pub created_at: Option<DateTime<Utc>>,
    pub summary: String,
    pub object: T,
}

/// The listing object each intent gets.
#[derive(Debug, Clone, PartialEq, Eq)]
pub enum Assigned {
    /// Index into the listing.
    Listed(usize),
    NotCreated,
    /// Indexes into the listing, oldest first.
    Ambiguous(Vec<usize>),
}

/// Matches intents to listed objects, deterministically.
///
/// 1. An intent with a token takes the newest unclaimed object `by_token` accepts (the
///    token names one object; an address the cloud reuses goes to the newest holder). No
///    such object: the acknowledged object is gone, `NotCreated`.
/// 2. The other intents are grouped by fingerprint. A group's candidates are the objects
///    that no one claims (`claimed`: ids already in state; objects taken in step 1), that
///    `fits` the fingerprint, and that were created no earlier than the group's oldest
///    intent minus [`CLOCK_MARGIN`].
///    - At most as many candidates as intents: intents (oldest first, then by address) take
///      candidates (oldest first, then in listing order), each the oldest one created no
///      earlier than its own time minus the margin; an intent left without is `NotCreated`.
///      This is safe because objects with the same fingerprint are interchangeable: each
///      was made from the same spec by one of these intents (every create writes its intent
///      first, and intents are only closed by recovery), so whichever address gets whichever
///      object, every address ends up with exactly one object of its spec and none is left
///      over.
///    - More candidates than intents: something else made objects of this spec too (a
///      person, another workspace), and skyform cannot tell which are its own. Every intent
///      of the group is `Ambiguous` with all candidates; nothing is adopted.
///
/// Intents with neither token nor fingerprint are `NotCreated`.
pub fn assign<T>(
    intents: &[CreateIntent],
    listed: &[Listed<T>],
    claimed: &BTreeSet<String>,
    by_token: impl Fn(&str, &T) -> bool,
    fits: impl Fn(&serde_json::Value, &T) -> bool,
) -> Vec<Assigned> {
    let mut out = vec![Assigned::NotCreated; intents.len()];
    let mut taken: HashSet<usize> = listed
        .iter()
        .enumerate()
        .filter(|(_, l)| claimed.contains(&l.id))
        .map(|(i, _)| i)
        .collect();
    for (n, intent) in intents.iter().enumerate() {
        let Some(token) = &intent.token else { continue };
        let newest = listed
            .iter()
            .enumerate()
            .filter(|(i, l)| !taken.contains(i) && by_token(token, &l.object))
            .max_by_key(|(i, l)| (l.created_at, *i))
            .map(|(i, _)| i);
        if let Some(i) = newest {
            taken.insert(i);
            out[n] = Assigned::Listed(i);
        }
    }
    let mut groups: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (n, intent) in intents.iter().enumerate() {
        if let (None, Some(fp)) = (&intent.token, &intent.fingerprint) {
            groups.entry(fp.to_string()).or_default().push(n);
        }
    }
    let margin = chrono::Duration::from_std(CLOCK_MARGIN).unwrap_or(chrono::Duration::zero());
    let not_before = |n: usize| intents[n].started_at.map(|t| t - margin);
    let old_enough = |l: &Listed<T>, floor: Option<DateTime<Utc>>| match (l.created_at, floor) {
        (Some(c), Some(f)) => c >= f,
        _ => true,
    };
    for members in groups.values_mut() {
        members.sort_by(|&a, &b| {
            (intents[a].started_at, &intents[a].address)
                .cmp(&(intents[b].started_at, &intents[b].address))
        });
        let Some(fp) = intents[members[0]].fingerprint.as_ref() else {
            continue;
        };
        let floor = members.iter().filter_map(|&n| not_before(n)).min();
        let mut candidates: Vec<usize> = listed
            .iter()
            .enumerate()
            .filter(|(i, l)| !taken.contains(i) && fits(fp, &l.object) && old_enough(l, floor))
            .map(|(i, _)| i)
            .collect();
        candidates.sort_by_key(|&i| (listed[i].created_at, i));
        if candidates.len() > members.len() {
            for &n in members.iter() {
                out[n] = Assigned::Ambiguous(candidates.clone());
            }
            continue;
        }
        for &n in members.iter() {
            let pick = candidates
                .iter()
                .position(|&i| !taken.contains(&i) && old_enough(&listed[i], not_before(n)));
            if let Some(p) = pick {
                let i = candidates.remove(p);
                taken.insert(i);
                out[n] = Assigned::Listed(i);
            }
        }
    }
    out
}

/// [`assign`], then each assigned object turned into the state to adopt.
pub fn recover<T>(
    intents: &[CreateIntent],
    listed: &[Listed<T>],
    claimed: &BTreeSet<String>,
    by_token: impl Fn(&str, &T) -> bool,
    fits: impl Fn(&serde_json::Value, &T) -> bool,
    to_value: impl Fn(&CreateIntent, &T) -> Value,
) -> Vec<Recovered> {
    let assigned = assign(intents, listed, claimed, by_token, fits);
    resolve(assigned, intents, listed, to_value)
}

/// The distinct tokens of `intents`, sorted: the values of one listing filtered by token
/// (jdcloud's describeInstances `tags.1.values.N`), so recovering N intents costs one
/// listing, not N reads.
pub fn open_tokens(intents: &[CreateIntent]) -> Vec<String> {
    let set: BTreeSet<&String> = intents.iter().filter_map(|i| i.token.as_ref()).collect();
    set.into_iter().cloned().collect()
}

/// [`recover`] for clouds whose objects carry the token their create recorded (a client
/// token in a tag, or the id the create answered): the one place where intents are matched
/// to a listing by token.
///
/// `token_of` says which token a listed object carries. An intent with a token takes the
/// newest unclaimed object carrying it (an object in state is never adopted twice); none
/// means the acknowledged object is gone: `NotCreated`. Intents without a token (the
/// answer never came) go through [`assign`]'s fingerprint rule with `fits` and the
/// creation-time window, the objects taken by token excluded. The objects are indexed by
/// token once, so this is linear in intents plus listing, not their product.
pub fn by_token<T>(
    intents: &[CreateIntent],
    listed: &[Listed<T>],
    claimed: &BTreeSet<String>,
    token_of: impl Fn(&T) -> Option<String>,
    fits: impl Fn(&serde_json::Value, &T) -> bool,
    to_value: impl Fn(&CreateIntent, &T) -> Value,
) -> Vec<Recovered> {
    let mut holders: BTreeMap<String, Vec<usize>> = BTreeMap::new();
    for (i, l) in listed.iter().enumerate() {
        if claimed.contains(&l.id) {
            continue;
        }
        if let Some(token) = token_of(&l.object) {
            holders.entry(token).or_default().push(i);
        }
    }
    let mut taken: BTreeSet<String> = claimed.clone();
    let mut assigned = vec![Assigned::NotCreated; intents.len()];
    let mut untokened: Vec<usize> = Vec::new();
    for (n, intent) in intents.iter().enumerate() {
        let Some(token) = &intent.token else {
            untokened.push(n);
            continue;
        };
        let newest = holders
            .get(token)
            .into_iter()
            .flatten()
            .copied()
            .filter(|&i| !taken.contains(&listed[i].id))
            .max_by_key(|&i| (listed[i].created_at, i));
        if let Some(i) = newest {
            taken.insert(listed[i].id.clone());
            assigned[n] = Assigned::Listed(i);
        }
    }
    let rest: Vec<CreateIntent> = untokened.iter().map(|&n| intents[n].clone()).collect();
    let by_fingerprint = assign(&rest, listed, &taken, |_, _| false, fits);
    for (n, a) in untokened.into_iter().zip(by_fingerprint) {
        assigned[n] = a;
    }
    resolve(assigned, intents, listed, to_value)
}

/// Each intent's assignment as the provider answers it: the adopted state, nothing, or the
/// candidates to show.
fn resolve<T>(
    assigned: Vec<Assigned>,
    intents: &[CreateIntent],
    listed: &[Listed<T>],
    to_value: impl Fn(&CreateIntent, &T) -> Value,
) -> Vec<Recovered> {
    assigned
        .into_iter()
        .zip(intents)
        .map(|(a, intent)| match a {
            Assigned::Listed(i) => Recovered::Found(to_value(intent, &listed[i].object)),
            Assigned::NotCreated => Recovered::NotCreated,
            Assigned::Ambiguous(is) => Recovered::Ambiguous(
                is.into_iter()
                    .map(|i| Candidate {
                        id: listed[i].id.clone(),
                        summary: listed[i].summary.clone(),
                    })
                    .collect(),
            ),
        })
        .collect()
}

/// Every intent `NotCreated`: for types whose create makes nothing that could be left
/// behind (a repeated call sets the same thing again).
pub fn none_created(intents: &[CreateIntent]) -> Vec<Recovered> {
    vec![Recovered::NotCreated; intents.len()]
}

/// The planned value an intent's fingerprint carries, for providers whose fingerprint is
/// (or includes) the planned attributes: what the cloud does not report is taken from it.
pub fn base_of(intent: &CreateIntent) -> Value {
    intent
        .fingerprint
        .as_ref()
        .map(Value::from_json)
        .unwrap_or(Value::Null)
}

/// The planned value's known attributes as a fingerprint (unknowns are left out).
pub fn planned_fingerprint(planned: &Value) -> serde_json::Value {
    let mut json = planned.to_json();
    if let serde_json::Value::Object(m) = &mut json {
        m.retain(|_, v| !v.is_null());
    }
    json
}

/// Parses the time of an intent record or a cloud's `CreateTime` (RFC 3339, any offset).
pub fn parse_time(text: &str) -> Option<DateTime<Utc>> {
    DateTime::parse_from_rfc3339(text.trim())
        .ok()
        .map(|t| t.with_timezone(&Utc))
}

/// Now, as an intent record writes it (RFC 3339, UTC, milliseconds).
pub fn now_text() -> String {
    Utc::now().to_rfc3339_opts(chrono::SecondsFormat::Millis, true)
}

#[cfg(test)]
mod tests {
    use super::*;
    use serde_json::json;

    fn at(s: &str) -> Option<DateTime<Utc>> {
        parse_time(s)
    }

    fn intent(addr: &str, token: Option<&str>, fp: &str, t: &str) -> CreateIntent {
        CreateIntent {
            address: addr.into(),
            token: token.map(str::to_string),
            fingerprint: Some(json!({ "spec": fp })),
            started_at: at(t),
        }
    }

    fn obj(id: &str, spec: &str, ip: &str, t: &str) -> Listed<(String, String)> {
        Listed {
            id: id.into(),
            created_at: at(t),
            summary: id.into(),
            object: (spec.into(), ip.into()),
        }
    }

    fn run(
        intents: &[CreateIntent],
        listed: &[Listed<(String, String)>],
        claimed: &[&str],
    ) -> Vec<Assigned> {
        let claimed = claimed.iter().map(|s| s.to_string()).collect();
        assign(
            intents,
            listed,
            &claimed,
            |tok, o| o.1 == tok,
            |fp, o| fp["spec"] == o.0.as_str(),
        )
    }

    const T0: &str = "2026-01-01T10:00:00.500Z";

    #[test]
    fn tokens_win_then_fingerprints_oldest_first() {
        let intents = [
            intent("web[1]", None, "a", "2026-01-01T10:00:01Z"),
            intent("web[0]", None, "a", T0),
            intent("web[2]", Some("10.0.0.9"), "a", T0),
        ];
        let listed = [
            obj("i-late", "a", "10.0.0.2", "2026-01-01T10:00:02+08:00"),
            obj("i-ip", "a", "10.0.0.9", "2026-01-01T18:00:01+08:00"),
            obj("i-first", "a", "10.0.0.1", "2026-01-01T18:00:00+08:00"),
            obj("i-second", "a", "10.0.0.3", "2026-01-01T18:00:01+08:00"),
        ];
        // i-late was created (10:00:02+08:00 = 02:00:02Z) far before the intents: not theirs.
        let got = run(&intents, &listed, &[]);
        assert_eq!(
            got,
            [
                Assigned::Listed(3),
                Assigned::Listed(2),
                Assigned::Listed(1)
            ]
        );
    }

    #[test]
    fn whole_second_create_times_within_the_margin_count() {
        // The cloud truncates to the second, so the machine looks older than the intent.
        let intents = [intent("web", None, "a", "2026-01-01T10:00:00.900Z")];
        let listed = [obj("i-1", "a", "ip", "2026-01-01T18:00:00+08:00")];
        assert_eq!(run(&intents, &listed, &[]), [Assigned::Listed(0)]);
    }

    #[test]
    fn claimed_and_different_specs_are_never_taken() {
        let intents = [intent("web", None, "a", T0)];
        let listed = [
            obj("i-1", "a", "ip1", "2026-01-01T18:00:01+08:00"),
            obj("i-2", "b", "ip2", "2026-01-01T18:00:01+08:00"),
        ];
        assert_eq!(run(&intents, &listed, &["i-1"]), [Assigned::NotCreated]);
    }

    #[test]
    fn more_candidates_than_intents_is_ambiguous_and_adopts_nothing() {
        let intents = [
            intent("web[0]", None, "a", T0),
            intent("web[1]", None, "a", T0),
        ];
        let listed = [
            obj("i-3", "a", "ip3", "2026-01-01T18:00:03+08:00"),
            obj("i-1", "a", "ip1", "2026-01-01T18:00:01+08:00"),
            obj("i-2", "a", "ip2", "2026-01-01T18:00:02+08:00"),
        ];
        let got = run(&intents, &listed, &[]);
        assert_eq!(got, vec![Assigned::Ambiguous(vec![1, 2, 0]); 2]);
    }

    #[test]
    fn an_acknowledged_object_that_is_gone_was_not_created() {
        let intents = [intent("web", Some("10.0.0.5"), "a", T0)];
        let listed = [obj("i-1", "a", "10.0.0.6", "2026-01-01T18:00:01+08:00")];
        assert_eq!(run(&intents, &listed, &[]), [Assigned::NotCreated]);
    }

    /// `by_token` over objects `(spec, token)`: the value adopted is the object's id.
    fn run_by_token(
        intents: &[CreateIntent],
        listed: &[Listed<(String, String)>],
        claimed: &[&str],
    ) -> Vec<Recovered> {
        let claimed = claimed.iter().map(|s| s.to_string()).collect();
        by_token(
            intents,
            listed,
            &claimed,
            |o| (!o.1.is_empty()).then(|| o.1.clone()),
            |fp, o| fp["spec"] == o.0.as_str(),
            |_, o| {
                let id = listed.iter().find(|l| std::ptr::eq(&l.object, o));
                Value::String(id.map(|l| l.id.clone()).unwrap_or_default())
            },
        )
    }

    fn found(id: &str) -> Recovered {
        Recovered::Found(Value::String(id.into()))
    }

    #[test]
    fn by_token_finds_each_token_holder_in_one_listing() {
        let intents = [
            intent("web[0]", Some("tok-a"), "a", T0),
            intent("web[1]", Some("tok-b"), "a", T0),
            intent("web[2]", Some("tok-gone"), "a", T0),
        ];
        let listed = [
            obj("i-b", "a", "tok-b", "2026-01-01T10:00:01Z"),
            obj("i-x", "a", "", "2026-01-01T10:00:01Z"),
            obj("i-a", "a", "tok-a", "2026-01-01T10:00:01Z"),
        ];
        assert_eq!(
            run_by_token(&intents, &listed, &[]),
            [found("i-a"), found("i-b"), Recovered::NotCreated],
            "a token whose object is gone made nothing; an untokened object is not taken"
        );
    }

    #[test]
    fn by_token_never_adopts_an_object_in_state_and_takes_the_newest_holder() {
        let intents = [intent("web", Some("tok-a"), "a", T0)];
        let listed = [
            obj("i-old", "a", "tok-a", "2026-01-01T10:00:01Z"),
            obj("i-new", "a", "tok-a", "2026-01-01T10:00:05Z"),
        ];
        assert_eq!(run_by_token(&intents, &listed, &[]), [found("i-new")]);
        assert_eq!(
            run_by_token(&intents, &listed, &["i-new"]),
            [found("i-old")]
        );
        assert_eq!(
            run_by_token(&intents, &listed, &["i-new", "i-old"]),
            [Recovered::NotCreated]
        );
    }

    #[test]
    fn by_token_matches_unanswered_intents_by_fingerprint_after_the_tokens() {
        // web[0]'s answer came (token i-1); web[1]'s was lost: it gets the other image of
        // its spec, never the one web[0]'s token names.
        let intents = [
            intent("web[0]", Some("i-1"), "a", T0),
            intent("web[1]", None, "a", T0),
        ];
        let listed = [
            obj("i-1", "a", "i-1", "2026-01-01T10:00:01Z"),
            obj("i-2", "a", "i-2", "2026-01-01T10:00:02Z"),
            obj("i-3", "b", "i-3", "2026-01-01T10:00:02Z"),
        ];
        assert_eq!(
            run_by_token(&intents, &listed, &[]),
            [found("i-1"), found("i-2")]
        );
        // One more object of the spec, made within the window: which is web[1]'s? Neither
        // is adopted; both are shown.
        let mut more = listed.to_vec();
        more.push(obj("i-4", "a", "i-4", "2026-01-01T10:00:03Z"));
        let got = run_by_token(&intents, &more, &[]);
        assert_eq!(got[0], found("i-1"));
        match &got[1] {
            Recovered::Ambiguous(c) => {
                let ids: Vec<&str> = c.iter().map(|c| c.id.as_str()).collect();
                assert_eq!(ids, ["i-2", "i-4"]);
            }
            other => panic!("expected ambiguous, got {other:?}"),
        }
        // Made long before the intent: not a candidate.
        let mut old = listed.to_vec();
        old.push(obj("i-0", "a", "i-0", "2026-01-01T09:00:00Z"));
        assert_eq!(
            run_by_token(&intents, &old, &[]),
            [found("i-1"), found("i-2")]
        );
    }

    #[test]
    fn open_tokens_are_distinct_and_sorted() {
        let intents = [
            intent("a", Some("t2"), "a", T0),
            intent("b", None, "a", T0),
            intent("c", Some("t1"), "a", T0),
            intent("d", Some("t2"), "a", T0),
        ];
        assert_eq!(open_tokens(&intents), ["t1", "t2"]);
    }
}
