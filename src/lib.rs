//! `ticketpool`: an embeddable real-time ticketing engine.
//!
//! This is the facade crate. It re-exports [`ticketpool_core`], where the two
//! bounded pools and the box office live; see that crate for the details.
//!
//! ```
//! use std::sync::Arc;
//! use ticketpool::{BoundedPool, Consumer, LockFreePool, Priority, Producer};
//!
//! let pool = Arc::new(LockFreePool::with_capacity(4).unwrap());
//! let vendor = Producer::new(Arc::clone(&pool));
//! let customer = Consumer::new(pool, Priority::Vip);
//! vendor.release(7_u32).unwrap();
//! assert_eq!(customer.take(), Ok(7));
//! ```

pub use ticketpool_core::*;
