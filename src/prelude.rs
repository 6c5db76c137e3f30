//! The traits a user of parallel iterators needs in scope, as
//! `rayon::prelude`: `use forkscope::prelude::*;`.

pub use crate::iter::{
    FromParallelIterator, IndexedParallelIterator, IntoParallelIterator, IntoParallelRefIterator,
    IntoParallelRefMutIterator, ParallelBridge, ParallelExtend, ParallelIterator, ParallelSlice,
    ParallelSliceMut,
};
pub use crate::str::ParallelString;
