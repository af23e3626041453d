module pfring.test/cgo_client

go 1.19
