pub fn placeholder_for_fetch() {}
