module example.com/zasper

go 1.19
