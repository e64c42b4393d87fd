//! [`lease_offices`]: the catalog's office factory in lease mode. Each
//! event's office is a [`LeaseNode`]'s, so several catalogs (one per
//! node) sell one event out of the shared `lease_tickets` table.

use std::collections::HashMap;
use std::sync::{Arc, Mutex, PoisonError};

use ticketpool_catalog::{Event, EventId, OfficeFactory};
use ticketpool_core::BoxOfficeError;

use super::checks;
use super::inventory::LeaseInventory;
use super::node::LeaseNode;
use super::node_config::LeaseNodeConfig;
use super::stock_plan::{create_customer_index, stock_event};
use crate::error::PersistError;

/// Refuses a node name the lease table would not take.
pub(crate) fn check_node(node: &str) -> Result<(), PersistError> {
    checks::node(node)
}

/// The nodes a factory started, by event: they live as long as the
/// factory (the catalog holds it), and stop cleanly, handing their unsold
/// tickets back, when it goes.
#[derive(Default)]
pub(crate) struct LeaseNodes {
    nodes: Mutex<HashMap<EventId, LeaseNode>>,
    /// Each event's name, for "my tickets" (the table has none).
    names: Mutex<HashMap<EventId, String>>,
}

impl LeaseNodes {
    /// The name of event `id`'s office, if this process opened it.
    pub(crate) fn event_name(&self, id: EventId) -> Option<String> {
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .get(&id)
            .cloned()
    }

    fn open(
        &self,
        params: &str,
        schema: &str,
        node: &str,
        config: LeaseNodeConfig,
        event: &Event,
    ) -> Result<ticketpool_core::BoxOffice, PersistError> {
        let mut nodes = self.nodes.lock().unwrap_or_else(PoisonError::into_inner);
        // Two nodes of one name on one event would take each other's
        // leases: the old one hands back before the new one starts.
        if let Some(old) = nodes.remove(&event.id) {
            old.shutdown()?;
        }
        let mut inventory = LeaseInventory::connect(params, schema)?;
        stock_event(&mut inventory, event.id.0, &event.office)?;
        // Leases under this name now are an earlier run's (a killed
        // node's): the new node would renew them without ever selling
        // them, so they go back on sale first.
        inventory.hand_back_all(node, event.id.0)?;
        drop(inventory);
        let started = LeaseNode::start(
            params,
            schema,
            event.id.0,
            node,
            event.office.clone(),
            config,
        )?;
        let office = (*started.office()).clone();
        nodes.insert(event.id, started);
        self.names
            .lock()
            .unwrap_or_else(PoisonError::into_inner)
            .insert(event.id, event.office.event_name.clone());
        Ok(office)
    }
}

/// An [`OfficeFactory`] for [`CatalogOptions::offices`] that sells every
/// event from ticket leases as node `node`, the inventory in `schema`'s
/// `lease_tickets` (libpq-style `params`).
///
/// For each event the catalog opens an office for (put on sale, or
/// reopened), it
///
/// 1. stocks the event's tickets, unless they are all there: ids and
///    types follow [`lease_type_counts`](super::lease_type_counts), from
///    the event's configuration alone, and rows already present are left
///    alone, so every node may stock at start and the result is the same;
/// 2. starts a [`LeaseNode`] for it and returns its office.
///
/// The nodes stop (handing back what they have not sold) when the factory
/// is dropped, that is with the catalog. Each node of a cluster must have
/// its own `node` name, and one process at a time runs it: a node starting
/// hands back every lease still under its name (a killed predecessor's,
/// which it could not sell and would otherwise renew for ever). One name
/// twice at once sells nothing twice (every commit is fenced in the
/// database) but the two take each other's leases.
///
/// What the office does not do in lease mode: its vendors are the node's
/// feeder only (add none); its sales are in `lease_tickets`, not in a
/// journal (so [`BoxOffice::sales`](ticketpool_core::BoxOffice::sales)
/// shows this run's sales of this node only); a paused office keeps the
/// block it leased until it resumes or stops.
///
/// # Errors
///
/// [`PersistError::LeaseRequest`] for a bad node name or setting; the
/// errors of [`LeaseInventory::connect`] (the table is created if absent).
///
/// # Examples
///
/// ```no_run
/// use ticketpool_catalog::{Catalog, CatalogOptions};
/// use ticketpool_persist::lease::lease_offices;
/// use ticketpool_persist::{LeaseNodeConfig, PgStore};
///
/// let params = "host=127.0.0.1 user=postgres dbname=test";
/// let offices = lease_offices(params, "tickets", "node-1", LeaseNodeConfig::default())?;
/// let options = CatalogOptions { offices: Some(offices), ..CatalogOptions::default() };
/// let catalog = Catalog::open_with(PgStore::connect(params, "catalog")?, options);
/// # Ok::<(), ticketpool_persist::PersistError>(())
/// ```
///
/// [`CatalogOptions::offices`]: ticketpool_catalog::CatalogOptions::offices
pub fn lease_offices(
    params: &str,
    schema: &str,
    node: &str,
    config: LeaseNodeConfig,
) -> Result<OfficeFactory, PersistError> {
    let (factory, _nodes) = lease_offices_with_nodes(params, schema, node, config)?;
    Ok(factory)
}

/// [`lease_offices`], and a weak view of its nodes (for event names).
pub(crate) fn lease_offices_with_nodes(
    params: &str,
    schema: &str,
    node: &str,
    config: LeaseNodeConfig,
) -> Result<(OfficeFactory, std::sync::Weak<LeaseNodes>), PersistError> {
    checks::node(node)?;
    config.check()?;
    // Creates the table (and its indexes) once, before any event opens.
    drop(LeaseInventory::connect(params, schema)?);
    create_customer_index(params, schema)?;
    let nodes = Arc::new(LeaseNodes::default());
    let weak = Arc::downgrade(&nodes);
    let (params, schema, node) = (params.to_owned(), schema.to_owned(), node.to_owned());
    let factory: OfficeFactory = Arc::new(move |event: &Event| {
        nodes
            .open(&params, &schema, &node, config, event)
            .map_err(|e| BoxOfficeError::Restore(format!("event {} from leases: {e}", event.id)))
    });
    Ok((factory, weak))
}
