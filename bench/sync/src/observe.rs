//! Watches the central service from inside its process: the moment each push committed.
//!
//! The service logs one `push` event (with `commands` and `acknowledged_seq`) per push it
//! committed, just before it answers. This subscriber is interested in that event only —
//! every other callsite (spans included) gets `Interest::never`, so the service runs
//! as it does without logging. With it the benchmark can tell, inside one `sync_once`,
//! when the last push was answered (push part) and when the pull back began, without
//! timing the client's internals.

use std::sync::{Arc, Mutex};

use tracing::field::{Field, Visit};
use tracing::level_filters::LevelFilter;
use tracing::span::{Attributes, Id, Record};
use tracing::subscriber::Interest;
use tracing::{Event, Metadata, Subscriber};

use crate::procfs::unix_micros;

/// One committed push, as the server logged it.
#[derive(Debug, Clone, Copy)]
pub struct PushEvent {
    pub at_unix_us: i64,
    pub commands: u64,
}

/// The events seen so far; shared with the subscriber.
#[derive(Debug, Clone, Default)]
pub struct Observed {
    events: Arc<Mutex<Vec<PushEvent>>>,
}

impl Observed {
    /// Installs the subscriber for the whole process (once, before any server starts).
    pub fn install() -> Observed {
        let observed = Observed::default();
        let subscriber = PushSubscriber {
            events: observed.events.clone(),
        };
        if tracing::subscriber::set_global_default(subscriber).is_err() {
            tracing::warn!("a tracing subscriber was already installed; push timing unavailable");
        }
        observed
    }

    /// Takes (and forgets) the events seen since the last call.
    pub fn take(&self) -> Vec<PushEvent> {
        std::mem::take(&mut *self.events.lock().unwrap_or_else(|p| p.into_inner()))
    }
}

struct PushSubscriber {
    events: Arc<Mutex<Vec<PushEvent>>>,
}

/// The service's `push` event: `tracing::info!(user, client, commands, acknowledged_seq, "push")`.
fn is_push_event(meta: &Metadata<'_>) -> bool {
    meta.is_event()
        && meta.target().starts_with("kyosai_central")
        && meta.fields().field("commands").is_some()
        && meta.fields().field("acknowledged_seq").is_some()
}

struct Commands(u64);

impl Visit for Commands {
    fn record_u64(&mut self, field: &Field, value: u64) {
        if field.name() == "commands" {
            self.0 = value;
        }
    }
    fn record_i64(&mut self, field: &Field, value: i64) {
        if field.name() == "commands" {
            self.0 = u64::try_from(value).unwrap_or(0);
        }
    }
    fn record_debug(&mut self, _field: &Field, _value: &dyn std::fmt::Debug) {}
}

impl Subscriber for PushSubscriber {
    fn register_callsite(&self, meta: &'static Metadata<'static>) -> Interest {
        if is_push_event(meta) {
            Interest::always()
        } else {
            Interest::never()
        }
    }

    fn enabled(&self, meta: &Metadata<'_>) -> bool {
        is_push_event(meta)
    }

    fn max_level_hint(&self) -> Option<LevelFilter> {
        Some(LevelFilter::INFO)
    }

    fn new_span(&self, _span: &Attributes<'_>) -> Id {
        Id::from_u64(1)
    }

    fn record(&self, _span: &Id, _values: &Record<'_>) {}

    fn record_follows_from(&self, _span: &Id, _follows: &Id) {}

    fn event(&self, event: &Event<'_>) {
        let at_unix_us = unix_micros();
        let mut commands = Commands(0);
        event.record(&mut commands);
        self.events
            .lock()
            .unwrap_or_else(|p| p.into_inner())
            .push(PushEvent {
                at_unix_us,
                commands: commands.0,
            });
    }

    fn enter(&self, _span: &Id) {}

    fn exit(&self, _span: &Id) {}
}
