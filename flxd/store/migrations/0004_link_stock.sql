-- Where a linked variant's stock lives on its channel when that is not the variant's own item
-- (BigCommerce: the product, for a product that tracks stock by product, so its stock is the
-- total of its variants). NULL: the variant's own item. Issue 5.
ALTER TABLE links ADD COLUMN stock_ref TEXT;
