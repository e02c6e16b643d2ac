package pdftext

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/assert"
	"github.com/stretchr/testify/require"

	"github.com/moderato/moderato/internal/testmedia"
)

func TestPageCount(t *testing.T) {
	two, err := testmedia.PDF(twoPages, testmedia.PDFOptions{Compress: true})
	require.NoError(t, err)
	one, err := testmedia.PDF(twoPages[:1], testmedia.PDFOptions{})
	require.NoError(t, err)
	v2 := append([]byte("%PDF-2.0"), two[len("%PDF-1.4"):]...)
	locked, err := testmedia.PDF(twoPages, testmedia.PDFOptions{UserPassword: "s3cret"})
	require.NoError(t, err)

	tests := []struct {
		name    string
		data    []byte
		want    int
		wantErr error
	}{
		{name: "two pages", data: two, want: 2},
		{name: "one page", data: one, want: 1},
		{name: "PDF 2.0 header", data: v2, want: 2},
		{name: "password protected", data: locked, wantErr: ErrEncrypted},
		{name: "not a PDF", data: []byte("%PDF-1.4\n1 0 obj\n<<>>\nendobj\ntrailer\n<<>>\n%%EOF\n"), wantErr: ErrDamaged},
		{name: "truncated", data: two[:len(two)/2], wantErr: ErrDamaged},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			n, err := PageCount(bytes.NewReader(tt.data), int64(len(tt.data)))
			if tt.wantErr != nil {
				assert.ErrorIs(t, err, tt.wantErr)
				return
			}
			require.NoError(t, err)
			assert.Equal(t, tt.want, n)
		})
	}
}
