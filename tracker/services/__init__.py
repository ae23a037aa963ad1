"""Use cases. Services own connections and transactions; a batch lands whole
or not at all."""
