//! The simulator suite, run against both pool strategies.

#[macro_use]
mod sim_suite;

mod lockfree {
    sim_suite!(ticketpool_core::Strategy::LockFree);
}

mod condvar {
    sim_suite!(ticketpool_core::Strategy::Condvar);
}
