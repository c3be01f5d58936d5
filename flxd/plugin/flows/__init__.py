"""What every channel does alike, driven by core: the channel supplies only its API's part
(ListingWriter for sync, pages of ChannelProduct for import, mapped orders for get_orders)."""
