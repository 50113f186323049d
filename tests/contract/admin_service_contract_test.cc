// Placeholder while the contract test is written.
