module github.com/netsched/netsched

go 1.26.8
