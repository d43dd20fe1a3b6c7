// Simulator module
