//! The box office suite, run against both pool strategies.

#[macro_use]
mod office_suite;

mod lockfree {
    office_suite!(ticketpool_core::Strategy::LockFree);
}

mod condvar {
    office_suite!(ticketpool_core::Strategy::Condvar);
}
