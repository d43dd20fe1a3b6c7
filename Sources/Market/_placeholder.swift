// Market module
