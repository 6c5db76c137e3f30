//! The traits a user of parallel iterators needs in scope, as
//! `rayon::prelude`: `use forkscope::prelude::*;`.

pub use crate::iter::{
    IndexedParallelIterator, IntoParallelIterator, IntoParallelRefIterator,
    IntoParallelRefMutIterator, ParallelIterator, ParallelSlice, ParallelSliceMut,
};
