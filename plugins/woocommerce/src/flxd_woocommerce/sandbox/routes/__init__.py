"""The HTTP side: the REST routes the store emulates, the gateway every REST request passes
through, the approval flow's pages and the control API."""
