// placeholder: implemented by the ops work
