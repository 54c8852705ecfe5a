//! Thin helpers over HDF5: preallocated datasets with a unit, string attributes, and
//! collective writes through MPI-IO (`H5Pset_dxpl_mpio(COLLECTIVE)` with one hyperslab
//! union per rank), which the high-level crate does not offer.

use hdf5::types::VarLenUnicode;
use hdf5::{Dataset, Datatype, Group, H5Type, Location};
use hdf5_sys::h5d::H5Dwrite;
use hdf5_sys::h5i::hid_t;
use hdf5_sys::h5p::{
    H5FD_mpio_xfer_t, H5Pclose, H5Pcreate, H5Pset_dxpl_mpio, H5P_CLS_DATASET_XFER,
};
use hdf5_sys::h5s::{
    H5S_seloper_t, H5Sclose, H5Screate_simple, H5Sselect_all, H5Sselect_hyperslab, H5Sselect_none,
};

/// Result of the HDF5 layer.
pub type H5Result<T> = Result<T, hdf5::Error>;

fn check(code: i64, what: &str) -> H5Result<()> {
    if code < 0 {
        Err(hdf5::Error::from(format!("HDF5: {what} failed")))
    } else {
        Ok(())
    }
}

/// A string attribute `name` = `value` on `loc` (collective: every rank, same value).
pub fn string_attr(loc: &Location, name: &str, value: &str) -> H5Result<()> {
    let v: VarLenUnicode = value
        .replace('\0', "")
        .parse()
        .map_err(|_| hdf5::Error::from(format!("attribute {name}: not a valid string")))?;
    loc.new_attr::<VarLenUnicode>()
        .create(name)?
        .write_scalar(&v)
}

/// A fixed-length ASCII string attribute (where the H5MD specification asks for one).
pub fn fixed_ascii_attr(loc: &Location, name: &str, value: &str) -> H5Result<()> {
    let v: hdf5::types::FixedAscii<64> = hdf5::types::FixedAscii::from_ascii(value.as_bytes())
        .map_err(|_| hdf5::Error::from(format!("attribute {name}: not ASCII of ≤ 64 bytes")))?;
    loc.new_attr::<hdf5::types::FixedAscii<64>>()
        .create(name)?
        .write_scalar(&v)
}

/// A string-array attribute.
pub fn strings_attr(loc: &Location, name: &str, values: &[String]) -> H5Result<()> {
    let v: Vec<VarLenUnicode> = values
        .iter()
        .map(|s| s.replace('\0', "").parse().unwrap_or_default())
        .collect();
    loc.new_attr::<VarLenUnicode>()
        .shape(values.len())
        .create(name)?
        .write_raw(&v)
}

/// A numeric attribute (scalar or array).
pub fn number_attr<T: H5Type>(loc: &Location, name: &str, values: &[T]) -> H5Result<()> {
    if values.len() == 1 {
        loc.new_attr::<T>().create(name)?.write_scalar(&values[0])
    } else {
        loc.new_attr::<T>()
            .shape(values.len())
            .create(name)?
            .write_raw(values)
    }
}

/// A dataset `name` in `group` of `rows` rows shaped `tail` (empty for scalars per row),
/// with attribute `unit`, allocated whole at creation: contiguous layout, early allocation,
/// every element set to `fill` (NaN, −1: "not yet written"), no modification times. Its
/// metadata never changes afterwards: later writes touch only the bytes of the rows they
/// write, which is what makes the run file crash-consistent (docs/FORMAT.md).
pub fn preallocated<T: H5Type>(
    group: &Group,
    name: &str,
    rows: usize,
    tail: &[usize],
    unit: &str,
    fill: T,
) -> H5Result<Dataset> {
    let mut shape = vec![rows];
    shape.extend_from_slice(tail);
    let ds = group
        .new_dataset::<T>()
        .shape(shape)
        .no_chunk()
        .alloc_time(Some(hdf5::plist::dataset_create::AllocTime::Early))
        .fill_time(hdf5::plist::dataset_create::FillTime::Alloc)
        .fill_value(fill)
        .obj_track_times(false)
        .create(name)?;
    string_attr(&ds, "unit", unit)?;
    Ok(ds)
}

/// A fixed-shape dataset (`shape` empty: scalar) with attribute `unit`.
pub fn fixed<T: H5Type>(
    group: &Group,
    name: &str,
    shape: &[usize],
    unit: &str,
) -> H5Result<Dataset> {
    let ds = group
        .new_dataset::<T>()
        .shape(shape.to_vec())
        .alloc_time(Some(hdf5::plist::dataset_create::AllocTime::Early))
        .obj_track_times(false)
        .create(name)?;
    string_attr(&ds, "unit", unit)?;
    Ok(ds)
}

/// A dataset-transfer property list for collective MPI-IO.
struct Collective(hid_t);

impl Collective {
    fn new() -> H5Result<Collective> {
        // SAFETY: plain HDF5 C calls on ids this function owns.
        unsafe {
            let id = H5Pcreate(*H5P_CLS_DATASET_XFER);
            check(id, "H5Pcreate(dataset transfer)")?;
            let p = Collective(id);
            check(
                H5Pset_dxpl_mpio(id, H5FD_mpio_xfer_t::H5FD_MPIO_COLLECTIVE).into(),
                "H5Pset_dxpl_mpio",
            )?;
            Ok(p)
        }
    }
}

impl Drop for Collective {
    fn drop(&mut self) {
        // SAFETY: closes the id created in `new`.
        unsafe {
            H5Pclose(self.0);
        }
    }
}

struct Space(hid_t);

impl Drop for Space {
    fn drop(&mut self) {
        // SAFETY: closes an id this module created.
        unsafe {
            H5Sclose(self.0);
        }
    }
}

/// Collective write: this rank writes `data` into rows `rows` (ascending) of `ds`, whose
/// rows hold `data.len() / rows.len()` elements each. Every rank calls it for the same
/// dataset in the same order, with its own (possibly empty) rows.
pub fn write_rows<T: H5Type>(ds: &Dataset, rows: &[u64], data: &[T]) -> H5Result<()> {
    let shape: Vec<u64> = ds.shape().iter().map(|&d| d as u64).collect();
    let width: u64 = shape[1..].iter().product();
    assert_eq!(
        data.len() as u64,
        rows.len() as u64 * width,
        "row data size"
    );
    // SAFETY: HDF5 C calls on ids owned here or by `ds`; `data` outlives the write and has
    // exactly the selected number of elements.
    unsafe {
        let file = Space(hdf5_sys::h5d::H5Dget_space(ds.id()));
        check(file.0, "H5Dget_space")?;
        check(H5Sselect_none(file.0).into(), "H5Sselect_none")?;
        let mut i = 0;
        while i < rows.len() {
            let mut j = i + 1;
            while j < rows.len() && rows[j] == rows[j - 1] + 1 {
                j += 1;
            }
            let mut start = vec![0u64; shape.len()];
            start[0] = rows[i];
            let mut count = shape.clone();
            count[0] = (j - i) as u64;
            check(
                H5Sselect_hyperslab(
                    file.0,
                    H5S_seloper_t::H5S_SELECT_OR,
                    start.as_ptr(),
                    std::ptr::null(),
                    count.as_ptr(),
                    std::ptr::null(),
                )
                .into(),
                "H5Sselect_hyperslab",
            )?;
            i = j;
        }
        let mut mdims = shape.clone();
        mdims[0] = rows.len() as u64;
        let mem = Space(H5Screate_simple(
            mdims.len() as i32,
            mdims.as_ptr(),
            std::ptr::null(),
        ));
        check(mem.0, "H5Screate_simple")?;
        if rows.is_empty() {
            check(H5Sselect_none(mem.0).into(), "H5Sselect_none")?;
        }
        collective_write(ds, &mem, &file, data)
    }
}

/// Collective `H5Dwrite` of `data` from the `mem` selection to the `file` selection.
///
/// # Safety
/// `data` must hold at least as many elements as `mem` selects.
unsafe fn collective_write<T: H5Type>(
    ds: &Dataset,
    mem: &Space,
    file: &Space,
    data: &[T],
) -> H5Result<()> {
    let dtype = Datatype::from_type::<T>()?;
    let xfer = Collective::new()?;
    // SAFETY: ids owned by the caller, `ds` and here; the caller vouches for `data`.
    let code = unsafe {
        H5Dwrite(
            ds.id(),
            dtype.id(),
            mem.0,
            file.0,
            xfer.0,
            data.as_ptr().cast(),
        )
    };
    check(code.into(), "H5Dwrite (collective)")
}

/// Collective write of a whole fixed-shape dataset by the rank with `writer` true; the
/// others take part with an empty selection.
pub fn write_whole<T: H5Type>(ds: &Dataset, data: &[T], writer: bool) -> H5Result<()> {
    // SAFETY: as in `write_rows`; the writer's `data` has the dataset's element count.
    unsafe {
        let file = Space(hdf5_sys::h5d::H5Dget_space(ds.id()));
        check(file.0, "H5Dget_space")?;
        let mem = Space(hdf5_sys::h5s::H5Scopy(file.0));
        check(mem.0, "H5Scopy")?;
        if writer {
            assert_eq!(data.len(), ds.size(), "dataset size");
            check(H5Sselect_all(file.0).into(), "H5Sselect_all")?;
            check(H5Sselect_all(mem.0).into(), "H5Sselect_all")?;
        } else {
            check(H5Sselect_none(file.0).into(), "H5Sselect_none")?;
            check(H5Sselect_none(mem.0).into(), "H5Sselect_none")?;
        }
        collective_write(ds, &mem, &file, data)
    }
}
