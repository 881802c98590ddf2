// placeholder: implemented by the expr/ops work
