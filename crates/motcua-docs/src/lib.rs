//! motcua-docs
